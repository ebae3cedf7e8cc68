"""council.yaml's ``spc:`` settings: whether reports show SPC, for which indicators, and how.

A frozen record every layer can read (the parser is :mod:`pmlib.config.spc`). The defaults keep
SPC out of reports (``show: false``), so a council that has not asked for it gets the reports it
had; the rule settings are Making Data Count's (a chart needs 15 points to be worth reading, runs
and trends of 7, moving ranges screened).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The fewest points a chart needs before a report shows it (Making Data Count's advice).
MIN_POINTS = 15


@dataclass(frozen=True)
class SpcSettings:
    """``spc:`` in council.yaml.

    Parameters
    ----------
    show
        Show SPC (icons, charts, sentences) in committee reports and their scorecard CSV.
    indicators
        ``None`` for every indicator (``indicators: all``), else the references to show it for.
    min_points
        An indicator needs at least this many figures (at its own frequency) for SPC to be shown.
    shift_points, trend_points
        The run and trend lengths that count as a signal (7; 6 allowed for shifts).
    screen_outliers
        Screen large moving ranges before setting the limits (false: the MDC Excel tool).
    """

    show: bool = False
    indicators: tuple[str, ...] | None = None
    min_points: int = MIN_POINTS
    shift_points: int = 7
    trend_points: int = 7
    screen_outliers: bool = True

    def covers(self, indicator_id: str) -> bool:
        """Whether SPC is shown for this indicator (given enough points)."""
        return self.show and (self.indicators is None or str(indicator_id) in self.indicators)
