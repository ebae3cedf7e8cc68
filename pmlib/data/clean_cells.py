"""Whether a column's cells pass their contract, found without pandera: the clean path.

:func:`pmlib.data.schema.validate_table` asks pandera to check each contract column, and turns
pandera's failure cases into the problems an analyst reads. Almost every table a council loads
is clean, and for a clean table pandera's only product is "nothing wrong" — at the price of
importing it (with the hypothesis strategies its checks register) and running it: ~0.45 s on
every ``pmlib`` command that validates, about half of ``pmlib validate`` on the demo council.

:func:`passes` answers the same question with the very operations pandera would run on the
column — the same ``astype`` for numbers and whole numbers, the same ``pandas.to_datetime``
call for dates, the same ``isin`` for choices and the same null test — and says ``True`` only
when all of them succeed with nothing to report. Anything else (a failure, a warning, a date
pandera would retry in UTC, a type it converts differently) returns ``False``, and the column
goes to pandera, which finds and describes the problems exactly as before. So the clean path
can make validation faster but never change a message: a column it passes is one pandera
would have passed.
"""

from __future__ import annotations

import warnings

import pandas as pd

from pmlib.data.contract import Col

__all__ = ["passes"]

#: The type pandera coerces each kind of column to (:func:`pmlib.data.schema._column_spec`).
_DTYPES = {"number": "float64", "integer": "Int64"}


def passes(values: pd.Series, col: Col) -> bool:
    """True when pandera's check of ``values`` against ``col`` would find no failure.

    ``values`` is what :func:`pmlib.data.schema.validate_table` shows pandera: the column's
    distinct cells (choices in the contract's spelling, dates in ISO form) or the column itself.
    ``False`` means "ask pandera", not "wrong".
    """
    try:
        coerced = _coerce(values, col)
    except Exception:  # noqa: BLE001 - pandera reports whatever failed to convert
        return False
    if coerced is None:
        return False
    if col.nonblank and coerced.hasnans:  # pandera's not_nullable check
        return False
    if col.kind == "choice":  # pandera's isin check, blanks ignored as pandera ignores them
        return bool((coerced.isin(list(col.choices)) | coerced.isna()).all())
    return True


def _coerce(values: pd.Series, col: Col) -> pd.Series | None:
    """The column as pandera's coercion leaves it, or ``None`` where the clean path cannot
    follow pandera (it would take another route, so pandera must look)."""
    if col.kind in _DTYPES:
        # pandera's numpy/pandas engines coerce with Series.astype; numpy's also refuses an
        # integer overflow, which float64 and Int64 targets cannot hit
        return values.astype(_DTYPES[col.kind])
    if col.kind == "date":
        return _dates(values)
    return values  # text and choice columns are not coerced


def _dates(values: pd.Series) -> pd.Series | None:
    """pandera's ``datetime64[ns]`` coercion when it takes its first route: ``to_datetime``
    with no arguments, no warning, a naive result, then ``astype``. A warning, a time zone or
    a column left as objects sends pandera down its UTC retries: ``None``, let pandera do it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = pd.to_datetime(values)
    if caught or not isinstance(out, pd.Series) or out.dtype.kind != "M":
        return None
    if getattr(out.dtype, "tz", None) is not None:
        return None
    return out.astype("datetime64[ns]")
