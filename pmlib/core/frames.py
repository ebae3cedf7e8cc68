"""Small pandas helpers shared by the loader, validator and rating engine."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def lookup_index(values: Iterable) -> pd.Index:
    """A hash index of the distinct values, text kept as (Arrow) strings.

    Looking up an Arrow-string column's distinct values in it takes milliseconds, whereas
    pandas' ``isin`` on Arrow-backed strings converts every allowed value to an Arrow scalar in
    Python first: about a second for 100,000 indicator ids.
    """
    if isinstance(values, set | frozenset):
        values = list(values)
    return pd.Index(pd.unique(pd.Series(values, dtype=object)))  # all text: pandas' str dtype


def get_indexer(index: pd.Index, values: pd.Index | pd.Series | np.ndarray) -> np.ndarray:
    """``index.get_indexer(values)``, with text on both sides in the same string dtype.

    pandas has two string dtypes (``str``, blanks NaN; ``string``, blanks NA); between the two
    it compares as Python objects, several times slower than within one.
    """
    dtype = getattr(values, "dtype", None)
    if (
        isinstance(index.dtype, pd.StringDtype)
        and isinstance(dtype, pd.StringDtype)
        and dtype != index.dtype
    ):
        values = values.astype(index.dtype)
    return index.get_indexer(values)


def codes_in(
    values: pd.Series, index: pd.Index, factorized: tuple[np.ndarray, pd.Index] | None = None
) -> np.ndarray:
    """Each value's position in ``index`` (unique, e.g. from :func:`lookup_index`); -1 if it is
    not there or blank. The lookup runs once per distinct value, then is spread over the rows.

    ``factorized`` is ``pd.factorize(values)`` if the caller has it already.
    """
    codes, uniques = factorized or pd.factorize(values, use_na_sentinel=True)
    found = get_indexer(index, uniques) if len(uniques) else np.empty(0, dtype=np.intp)
    return np.append(found, -1)[codes]  # code -1 (blank) picks the appended -1


def isin(values: pd.Series, allowed: Iterable) -> pd.Series:
    """``values.isin(allowed)`` through a hash index, looking up each distinct value once.

    A blank value counts as found when ``allowed`` holds a blank.
    """
    index = lookup_index(allowed)
    hit = codes_in(values, index) >= 0
    if index.hasnans:
        hit |= values.isna().to_numpy(dtype=bool)
    return pd.Series(hit, index=values.index)


def take(flags: np.ndarray | pd.Series, positions: np.ndarray, fill: object = False) -> np.ndarray:
    """``flags[positions]``, with ``fill`` where a position is -1 (not found)."""
    arr = np.asarray(flags)
    return np.append(arr, np.array([fill], dtype=arr.dtype))[positions]
