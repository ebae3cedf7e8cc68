"""The quarterly data return: per-owner Excel workbooks, validated import, sign-off, locked periods
and a hash-chained audit trail (docs/data-returns.md).

May import pmlib.core, pmlib.config, pmlib.data and pmlib.rating.

From Python, the same round trip as the ``pmlib returns`` commands::

    from pmlib.returns import make_returns, import_returns, sign_off, set_lock, verify
"""

from pmlib.core.deprecation import moved_names

#: The round trip's entry points, each imported on first use (they import pandas).
_NAMES = {
    "make_returns": "pmlib.returns.make",
    "import_returns": "pmlib.returns.importer",
    "write_status": "pmlib.returns.status",
    "sign_off": "pmlib.returns.signoff",
    "set_lock": "pmlib.returns.signoff",
    "verify": "pmlib.returns.audit",
    "read_log": "pmlib.returns.audit",
}

__getattr__ = moved_names(__name__, _NAMES)

__all__ = sorted(_NAMES)
