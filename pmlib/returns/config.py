"""How a council runs its data returns: ``returns.yaml`` (optional) plus the council-wide settings
the returns read from ``council.yaml``.

``returns.yaml`` sits beside ``council.yaml`` and is optional; every key has a default, so a
council can start the quarterly round trip without writing it::

    group_by: owner              # owner | data_collector: who gets one workbook
    return_to: performance@northmoor.gov.uk
    escalate_after: 3            # working days overdue before the head of service is copied
    contacts:                    # name -> e-mail address, for the reminders
      R. Evans: r.evans@northmoor.gov.uk
    heads_of_service:            # owner -> head of service, when indicators has no column
      Waste and Recycling Manager: Head of Environmental Services

The deadline and narrative headings come from ``council.yaml`` (``submission_deadline``,
``bank_holidays``, ``narrative_headings``); they are read with fallbacks, so this module works
with parameter folders written before those settings existed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pmlib.config.yaml import read_yaml
from pmlib.core.errors import ConfigError
from pmlib.core.model import Council
from pmlib.core.workdays import DEFAULT_REGION, deadline_after, parse_deadline

#: The narrative columns and their headings when council.yaml names none (as the reports head
#: them, pmlib.present.fragments.NARRATIVE_TITLES).
DEFAULT_HEADINGS = {
    "performance_update": "Performance update",
    "approach": "Approach to improve",
    "future_plans": "Future plans",
    "issues": "Issues and risks",
}

GROUPS = ("owner", "data_collector")
_KEYS = {"group_by", "return_to", "escalate_after", "contacts", "heads_of_service"}


@dataclass(frozen=True)
class ReturnsSettings:
    """``returns.yaml``: who gets a workbook, where it goes back, whom reminders copy."""

    group_by: str = "owner"
    return_to: str = ""
    escalate_after: int = 3
    contacts: dict[str, str] = field(default_factory=dict)
    heads_of_service: dict[str, str] = field(default_factory=dict)


def read_returns_settings(params_dir: Path | None) -> ReturnsSettings:
    """Read ``returns.yaml`` from the parameters folder (defaults when there is none)."""
    path = Path(params_dir or ".") / "returns.yaml"
    if not path.exists():
        return ReturnsSettings()
    raw = read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings. Fix: see docs/data-returns.md.")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {', '.join(unknown)}. Fix: remove it or use one of "
            f"{', '.join(sorted(_KEYS))}."
        )
    group = str(raw.get("group_by", "owner"))
    if group not in GROUPS:
        raise ConfigError(f"{path}: group_by is {group!r}. Fix: use one of {', '.join(GROUPS)}.")
    esc = raw.get("escalate_after", 3)
    if not isinstance(esc, int) or isinstance(esc, bool) or esc < 0:
        raise ConfigError(
            f"{path}: escalate_after is {esc!r}. Fix: a whole number of working days, e.g. 3."
        )
    maps = {}
    for key in ("contacts", "heads_of_service"):
        value = raw.get(key) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {key} must be a mapping of name: value.")
        maps[key] = {str(k).strip(): str(v).strip() for k, v in value.items()}
    return ReturnsSettings(
        group_by=group, return_to=str(raw.get("return_to") or ""), escalate_after=esc, **maps
    )


def narrative_headings(council: Council) -> dict[str, str]:
    """Narrative column -> the council's heading, in the order the council lists them."""
    headings = getattr(council, "narrative_headings", None)
    if not headings:
        return dict(DEFAULT_HEADINGS)
    return {str(k): str(v) for k, v in dict(headings).items()}


def council_deadline(council: Council) -> object:
    """The council-wide deadline as written: ``submission_deadline`` ("8 working days") when set,
    else the older ``submission_deadline_days`` (calendar days)."""
    new = getattr(council, "submission_deadline", None)
    return new if new not in (None, "") else council.submission_deadline_days


def region(council: Council) -> str:
    """The bank-holiday calendar the council works to."""
    return str(getattr(council, "bank_holidays", None) or DEFAULT_REGION)


def due_date(council: Council, period_end: dt.date, own: object = None) -> dt.date:
    """When a figure for a period ending ``period_end`` is due: the indicator's own
    ``submission_deadline`` when it has one, else the council's."""
    deadline = own if own not in (None, "") and own == own else council_deadline(council)
    return deadline_after(period_end, deadline, region(council))


def deadline_words(deadline: object) -> str:
    """``8 working days`` / ``15 calendar days``, as the instructions sheet says it."""
    n, kind = parse_deadline(deadline)
    return f"{n} {'working' if kind == 'working' else 'calendar'} day{'s' if n != 1 else ''}"
