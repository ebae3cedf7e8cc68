"""A council's reporting conventions as values: which indicators are exceptions, which count as
on target in the headline figures.

They live in ``core`` (not beside the code that applies them in :mod:`pmlib.rating.exceptions`)
because ``council.yaml`` and ``committees.yaml`` set them: :mod:`pmlib.config.rules` reads them
into these frozen objects, which :class:`~pmlib.core.model.Council` and
:class:`~pmlib.core.model.Committee` hold. Every report section asks :func:`exception_rule_for`
and :func:`on_target_for` for a committee's effective convention, so a committee that sets its
own cannot be reported under the council's in one section and its own in another.

>>> rule = ExceptionRule(rags=("Red", "Amber"), forecast_rags=("Red", "Amber"), combine="and")
>>> rule.forecast_miss, rule.combine
('any', 'and')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmlib.core.model import Committee, Council

__all__ = [
    "COMBINES",
    "EXCEPTION_RATINGS",
    "FORECAST_MISSES",
    "ON_TARGET_DEFAULT",
    "ON_TARGET_RATINGS",
    "ExceptionRule",
    "exception_rule_for",
    "on_target_for",
]

#: ``forecast_miss`` in council.yaml → the year-end forecast ratings that count as a miss.
FORECAST_MISSES: dict[str, tuple[str, ...]] = {
    "any": ("Red", "Amber"),  # every forecast short of the year-end target
    "red": ("Red",),  # only a forecast beyond tolerance
    "none": (),  # forecasts never make an exception
}
#: ``combine``: ``or`` (a qualifying rating or a forecast miss) | ``and`` (both).
COMBINES = ("or", "and")
#: Ratings an exception rule may name (Green is on target; Grey is not rated).
EXCEPTION_RATINGS = ("Red", "Amber", "No data")
#: Ratings a council may count as on target in its headline figures.
ON_TARGET_RATINGS = ("Green", "Amber", "Grey")
#: Today's convention: only Green is on target.
ON_TARGET_DEFAULT = ("Green",)


@dataclass(frozen=True)
class ExceptionRule:
    """What makes an indicator an exception.

    Parameters
    ----------
    rags
        Ratings this period that qualify (default Red and Amber).
    forecast_rags
        Ratings of the year-end forecast against the year-end target that count as "forecast
        to miss" (default Red and Amber: every forecast short of the target). Empty: forecasts
        never qualify.
    combine
        ``or`` (default): either a qualifying rating or a forecast miss makes an exception.
        ``and``: both are needed — New Forest reports exceptions where performance is "not
        within the agreed thresholds and [is] profiled to not meet targets".
    """

    rags: tuple[str, ...] = ("Red", "Amber")
    forecast_rags: tuple[str, ...] = ("Red", "Amber")
    combine: str = "or"

    @property
    def forecast_miss(self) -> str:
        """The council.yaml word for :attr:`forecast_rags` (``any``, ``red``, ``none``)."""
        for word, rags in FORECAST_MISSES.items():
            if set(rags) == set(self.forecast_rags):
                return word
        return ", ".join(self.forecast_rags)


def exception_rule_for(council: Council, committee: Committee | None = None) -> ExceptionRule:
    """The exception rule a committee's report applies: its own, else the council's."""
    own = getattr(committee, "exceptions", None) if committee is not None else None
    return own or getattr(council, "exceptions", None) or ExceptionRule()


def on_target_for(council: Council, committee: Committee | None = None) -> tuple[str, ...]:
    """The ratings a committee's headline figures count as on target: its own, else the
    council's (default Green only)."""
    own = getattr(committee, "on_target", None) if committee is not None else None
    return tuple(own or getattr(council, "on_target", None) or ON_TARGET_DEFAULT)
