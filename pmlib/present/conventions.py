"""A council's reporting conventions in words: which ratings its headline figures count as on
target (``on_target:`` in council.yaml or a committee's entry), and how a reviewer's override
of a rating is described.

Kept apart from :mod:`pmlib.present.text` (numbers into words in general) because each function
here turns one council setting into what a report says about it, so the words and the setting
cannot drift apart. Functions take counts (rating → number), not frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from pmlib.core.rules import ON_TARGET_DEFAULT

__all__ = [
    "on_target_counts",
    "on_target_note",
    "on_target_standing",
    "override_text",
    "with_on_target_total",
]


def _are(n: int) -> str:
    return "is" if n == 1 else "are"


def _joined(parts: Sequence[str]) -> str:
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def on_target_note(on_target: Sequence[str] = ON_TARGET_DEFAULT) -> str:
    """The sentence saying which convention the headline figures use ("" for Green only).

    >>> on_target_note(("Green", "Amber", "Grey"))
    "Amber and Grey are counted as on target, as the council's framework sets out."
    """
    others = [r for r in on_target if r != "Green"]
    if not others:
        return ""
    return (
        f"{_joined(others)} {_are(len(others))} counted as on target, as the council's "
        "framework sets out."
    )


def on_target_counts(
    counts: Mapping[str, int], on_target: Sequence[str] = ON_TARGET_DEFAULT
) -> dict[str, int]:
    """The headline counts under the council's convention: ``counts`` (rating → number, in
    reading order) as they are when only Green is on target (today's), otherwise ``On target``
    first and then each other rating.

    >>> on_target_counts({"Red": 1, "Amber": 1, "Green": 1, "Grey": 1, "No data": 0},
    ...                  ("Green", "Amber", "Grey"))
    {'On target': 3, 'Red': 1, 'No data': 0}
    """
    if tuple(on_target) == ON_TARGET_DEFAULT:
        return dict(counts)
    return {
        "On target": sum(counts.get(r, 0) for r in on_target),
        **{r: n for r, n in counts.items() if r not in on_target},
    }


def on_target_standing(counts: Mapping[str, int], on_target: Sequence[str]) -> str:
    """How the indicators stand under the convention, for the at-a-glance lede.

    >>> on_target_standing({"Red": 2, "Amber": 3, "Green": 5, "Grey": 2, "No data": 1},
    ...                    ("Green", "Amber", "Grey"))
    '10 are on target (5 Green, 3 Amber and 2 Grey) and 2 are off target (Red).'
    """
    n_on = sum(counts.get(r, 0) for r in on_target)
    parts = [f"{counts[r]} {r}" for r in on_target if counts.get(r)]
    text = f"{n_on} {_are(n_on)} on target"
    if len(parts) > 1:
        text += f" ({_joined(parts)})"
    elif parts:
        text += f" ({parts[0].split(' ', 1)[1]})"
    off = [
        f"{n} {_are(n)} {words}"
        for n, rag, words in (
            (counts.get("Amber", 0), "Amber", "within tolerance (Amber)"),
            (counts.get("Red", 0), "Red", "off target (Red)"),
        )
        if n and rag not in on_target
    ]
    return _joined([text, *off]) + "."


def with_on_target_total(changes: pd.DataFrame, on_target: Sequence[str]) -> pd.DataFrame:
    """The counts table's rows (``rag, now, previous, change``) with the council's "On target
    (Green, Amber, Grey)" total last; unchanged when only Green is on target."""
    if tuple(on_target) == ON_TARGET_DEFAULT:
        return changes
    total = changes[changes["rag"].isin(on_target)][["now", "previous", "change"]].sum()
    row = pd.DataFrame([{"rag": f"On target ({', '.join(on_target)})", **total.to_dict()}])
    return pd.concat([changes, row], ignore_index=True)


def override_text(row: Mapping[str, object]) -> str:
    """A reviewer's override in words, for an exception section's "Rating" line.

    >>> override_text({"rag": "Amber", "computed_rag": "Red", "override_by": "T. Harding",
    ...                "override_reason": "A one-off"})
    'Amber, agreed by T. Harding in place of the calculated Red. Reason: A one-off'
    """
    return (
        f"{row['rag']}, agreed by {row['override_by']} in place of the calculated "
        f"{row['computed_rag']}. Reason: {row['override_reason']}"
    )
