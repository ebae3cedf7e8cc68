"""Lateness of figures that came in a quarterly return: judged by the return, not the month.

Validation judges every figure against its own deadline: ``submission_deadline`` after the end
of its period (or after it becomes due, when it is reported in arrears). That is right for a
figure entered in the data folder as it arrives, but not for one collected through the
quarterly return: the return asks for a monthly indicator's three months together, all due by
the return's deadline after the *quarter* ends (:func:`pmlib.returns.due.return_rows`), so
October's figure returned on time in January is not late, though January is more than eight
working days after October. Left alone, every monthly figure but the quarter's last shows as
"Submitted late" in the reports' data-quality section.

A figure that came in a return is judged by the return: when it was imported after the
return's deadline the import says so in the audit log, and the data-quality section lists it as
"Returned late" with the return's due date (:mod:`pmlib.returns.quality`). So for those figures
validation's own "submitted late" warning is dropped; figures entered in the data folder by
other means keep it.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.sources import source_location
from pmlib.data.load import SOURCE_ROW
from pmlib.returns.audit import read_log

__all__ = ["LATE_WARNING", "judged_by_returns", "returned_keys"]

#: The start of validation's lateness warning (pmlib.data.governance).
LATE_WARNING = "submitted late"


def returned_keys(dataset: Dataset) -> set[str]:
    """``indicator_id|period`` of every figure a return import wrote (from the audit log)."""
    folders = {source_location(s) for s in dataset.sources.values()}
    return {
        r["key"]
        for folder in folders
        for r in read_log(folder)
        if r["action"] == "import" and r["table"] == "actuals" and r["key"]
    }


def judged_by_returns(dataset: Dataset) -> Dataset:
    """``dataset`` without validation's "submitted late" warnings for figures that came in a
    return (see the module docstring); the same dataset when there are none."""
    late = [
        w
        for w in dataset.warnings
        if w.column == "collected_at"
        and w.row is not None
        and str(w.message).startswith(LATE_WARNING)
    ]
    act = dataset.actuals
    if not late or SOURCE_ROW not in act:
        return dataset
    keys = returned_keys(dataset)
    if not keys:
        return dataset
    key_of = pd.Series(
        (act["indicator_id"].astype(str) + "|" + act["period"].astype(str)).to_numpy(),
        index=act[SOURCE_ROW].to_numpy(),
    )
    key_of = key_of[~key_of.index.duplicated()]
    dropped = {id(w) for w in late if key_of.get(w.row) in keys}
    if not dropped:
        return dataset
    kept = tuple(w for w in dataset.warnings if id(w) not in dropped)
    return dataclasses.replace(dataset, warnings=kept)
