"""Statistical process control beside RAG: XmR charts with the NHS "Making Data Count" rules,
computed for many series at once (limits, special-cause rules, variation and assurance).

May import pmlib.core only (plus numpy and pandas).
"""

from pmlib.spc.options import (
    ASSURANCE_TYPES,
    IMPROVEMENT_DIRECTIONS,
    POINT_TYPES,
    SHORT_GROUP_POINTS,
    SpcOptions,
)
from pmlib.spc.xmr import SpcResult, calculate_spc

__all__ = [
    "ASSURANCE_TYPES",
    "IMPROVEMENT_DIRECTIONS",
    "POINT_TYPES",
    "SHORT_GROUP_POINTS",
    "SpcOptions",
    "SpcResult",
    "calculate_spc",
]
