"""The disk cache of validated datasets (pmlib.data.dataset_cache) and the one cache folder
(pmlib.core.cache): validate once per change of the data, never serve a stale or foreign entry."""

from __future__ import annotations

import os
import stat

import pytest

from pmlib.core.cache import cache_dir
from pmlib.data import dataset_cache, validate
from pmlib.data.validate import read_dataset


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache folder, the in-memory cache emptied, and a count of validations."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(folder))
    monkeypatch.setattr(validate, "_CACHE", {})
    calls: list[int] = []
    real = validate.build_dataset

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(validate, "build_dataset", counting)
    return folder, calls


def _new_process() -> None:
    """What a fresh process (a report kernel) starts with: no dataset in memory."""
    validate._CACHE.clear()


def test_cache_dir_follows_the_environment_and_keeps_its_old_home(monkeypatch, tmp_path):
    from pmlib.render import html

    assert html.cache_dir is cache_dir  # the old import path still works
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("PMLIB_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "pmlib"


def test_a_second_process_loads_the_dataset_instead_of_validating(council, cache):
    data, params = council
    folder, calls = cache
    first = read_dataset(data, params)
    assert len(calls) == 1
    entries = list((folder / "datasets").glob("*.pickle"))
    assert len(entries) == 1
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600  # unpickling runs code: owner only
    _new_process()
    second = read_dataset(data, params)
    assert len(calls) == 1  # loaded, not validated again
    assert second.actuals.equals(first.actuals)
    assert second.indicators.equals(first.indicators)
    assert [p.message for p in second.warnings] == [p.message for p in first.warnings]


def test_an_edited_data_file_is_validated_again(council, cache):
    data, params = council
    _, calls = cache
    before = read_dataset(data, params)
    actuals = data / "actuals.csv"
    lines = actuals.read_text(encoding="utf-8").splitlines()
    actuals.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one row fewer
    _new_process()
    after = read_dataset(data, params)
    assert len(calls) == 2
    assert len(after.actuals) == len(before.actuals) - 1


def test_a_corrupted_entry_is_ignored_removed_and_replaced(council, cache):
    data, params = council
    folder, calls = cache
    read_dataset(data, params)
    (entry,) = (folder / "datasets").glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:100])  # truncated, as by a full disk
    _new_process()
    dataset = read_dataset(data, params)
    assert len(calls) == 2 and len(dataset.actuals) > 0
    _new_process()
    read_dataset(data, params)  # the validated dataset was stored again
    assert len(calls) == 2


def test_an_entry_stored_under_another_key_is_never_served(council, cache):
    data, params = council
    folder, calls = cache
    read_dataset(data, params)
    key = validate._cache_key(data, params, None)
    other = ("another folder", *key[1:])
    # a file at this key's path holding another key's dataset (a collision, a copied file)
    dataset_cache.cache_path(other).parent.mkdir(parents=True, exist_ok=True)
    os.replace(dataset_cache.cache_path(key), dataset_cache.cache_path(other))
    dataset_cache.store_dataset(other, "not this council's dataset")
    os.replace(dataset_cache.cache_path(other), dataset_cache.cache_path(key))
    assert dataset_cache.load_dataset(key) is None


def test_at_most_a_few_datasets_are_kept_the_most_recently_used(cache, monkeypatch):
    folder, _ = cache
    monkeypatch.setattr(dataset_cache, "MAX_ENTRIES", 2)
    first = dataset_cache.store_dataset(("key", 0), "dataset 0")
    second = dataset_cache.store_dataset(("key", 1), "dataset 1")
    os.utime(first, (1_000_000, 1_000_000))
    os.utime(second, (1_000_100, 1_000_100))  # key 1 stored after key 0 ...
    assert dataset_cache.load_dataset(("key", 0)) == "dataset 0"  # ... but key 0 used since
    dataset_cache.store_dataset(("key", 2), "dataset 2")
    assert dataset_cache.load_dataset(("key", 1)) is None  # the least recently used went
    assert dataset_cache.load_dataset(("key", 0)) == "dataset 0"
    assert dataset_cache.load_dataset(("key", 2)) == "dataset 2"
    assert len(list((folder / "datasets").glob("*.pickle"))) == 2


def test_another_pandas_version_does_not_share_entries(cache, monkeypatch):
    import pandas as pd

    dataset_cache.store_dataset(("key",), "written by this pandas")
    monkeypatch.setattr(pd, "__version__", "0.0.1")
    assert dataset_cache.load_dataset(("key",)) is None


def test_an_unwritable_cache_only_costs_time(council, cache, tmp_path, monkeypatch):
    data, params = council
    _, calls = cache
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(blocker))  # cannot create datasets/ inside
    assert len(read_dataset(data, params).actuals) > 0
    _new_process()
    read_dataset(data, params)
    assert len(calls) == 2


def test_the_test_session_never_writes_into_the_users_cache():
    # tests/conftest.py points PMLIB_CACHE_DIR at a temporary folder for the whole session
    home_cache = os.path.join(os.path.expanduser("~"), ".cache", "pmlib")
    assert os.environ.get("PMLIB_CACHE_DIR")
    assert os.path.realpath(os.environ["PMLIB_CACHE_DIR"]) != os.path.realpath(home_cache)


def test_a_dataset_too_large_for_the_cache_is_validated_each_time_not_stored(
    council, cache, monkeypatch
):
    data, params = council
    folder, calls = cache
    monkeypatch.setattr(dataset_cache, "MAX_BYTES", 1000)  # the demo's tables hold far more
    read_dataset(data, params)
    assert list(folder.glob("datasets/*.pickle")) == []
    _new_process()
    read_dataset(data, params)
    assert len(calls) == 2  # validated again: nothing was stored
