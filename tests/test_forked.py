"""Work split across forked children (pmlib.core.forked): the parts come back in order, and any
part a child cannot make is made in this process — the result is always one process's."""

from __future__ import annotations

import os
import time

import pytest

from pmlib.core import forked
from pmlib.core.forked import work_in_parts

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="forked parts are Linux only")


def _collected(results) -> list[tuple[int, bytes]]:
    return [(count, b"".join(bytes(p) for p in pieces)) for count, pieces in results]


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """The children forked during the test (other tests' servers may be this process's
    children too, so only these are looked at)."""
    pids: list[int] = []
    real = forked._fork

    def recorded() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(forked, "_fork", recorded)
    return pids


def _all_reaped(pids: list[int]) -> bool:
    """Whether every one of ``pids`` has been waited for (no zombie, none still at work)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(pids)


def test_parts_come_back_in_order_from_the_children_that_made_them(forks):
    parent = os.getpid()

    def make(i):
        who = b"here" if os.getpid() == parent else b"child"
        return i * 10, [b"part %d " % i, memoryview(b"by "), who]

    got = _collected(work_in_parts(make, 4))
    assert got == [(0, b"part 0 by here"), (10, b"part 1 by child"),
                   (20, b"part 2 by child"), (30, b"part 3 by child")]  # fmt: skip
    assert _all_reaped(forks)


def test_a_large_part_comes_back_whole():
    big = os.urandom(9 << 20)  # larger than one read-back chunk

    got = _collected(work_in_parts(lambda i: (i, [big[: 1 << 20], big[1 << 20 :]]), 2))
    assert got == [(0, big), (1, big)]


def test_a_part_whose_child_fails_is_made_here(forks):
    parent = os.getpid()

    def make(i):
        if os.getpid() != parent:
            raise MemoryError("a child that ran out of memory")
        return 1, [b"part %d here" % i]

    assert _collected(work_in_parts(make, 3)) == [(1, b"part 0 here"), (1, b"part 1 here"),
                                                  (1, b"part 2 here")]  # fmt: skip
    assert _all_reaped(forks)


def test_a_users_mistake_in_a_childs_part_is_raised_here_as_in_one_process(forks):
    def make(i):
        if i == 1:
            raise ValueError("part 1 names an undefined scheme")
        return 1, [b"fine"]

    with pytest.raises(ValueError, match="part 1 names an undefined scheme"):
        work_in_parts(make, 2)
    assert _all_reaped(forks)


def test_a_child_that_hangs_is_stopped_and_its_part_made_here(forks):
    parent = os.getpid()

    def make(i):
        if os.getpid() != parent:
            time.sleep(60)  # a deadlocked child
        return 1, [b"%d" % i]

    start = time.monotonic()
    got = _collected(work_in_parts(make, 2, patience=1, grace=0.5))
    assert got == [(1, b"0"), (1, b"1")]
    assert time.monotonic() - start < 10
    assert _all_reaped(forks)


def test_an_error_in_this_processs_part_stops_the_children(forks):
    parent = os.getpid()

    def make(i):
        if os.getpid() != parent:
            time.sleep(60)
        raise KeyError("part 0")

    start = time.monotonic()
    with pytest.raises(KeyError):
        work_in_parts(make, 3)
    assert time.monotonic() - start < 10
    assert _all_reaped(forks)


def test_one_part_or_no_fork_is_made_in_this_process(monkeypatch):
    parent = os.getpid()

    def make(i):
        return 0, [b"here" if os.getpid() == parent else b"child"]

    assert _collected(work_in_parts(make, 1)) == [(0, b"here")]
    monkeypatch.setattr(forked, "can_fork", lambda: False)  # Windows, macOS
    assert _collected(work_in_parts(make, 2)) == [(0, b"here"), (0, b"here")]


def test_a_fork_that_fails_leaves_its_part_to_this_process(monkeypatch):
    def no_slots():
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(forked, "_fork", no_slots)
    assert _collected(work_in_parts(lambda i: (i, [b"%d" % i]), 3)) == [
        (0, b"0"), (1, b"1"), (2, b"2")
    ]  # fmt: skip


def test_aside_returns_what_the_child_computed_and_reaps_it(forks):
    parent = os.getpid()
    result = forked.aside(lambda: {"by": "here" if os.getpid() == parent else "child"})
    assert result() == {"by": "child"}
    assert result() == {"by": "child"}  # asked again: the same, no second run
    assert _all_reaped(forks)


def test_aside_raises_here_what_compute_raises(forks):
    calls = []

    def compute():
        calls.append(os.getpid())
        raise ValueError("bad data")

    result = forked.aside(compute)
    with pytest.raises(ValueError, match="bad data"):
        result()
    assert calls == [os.getpid()]  # the child's own call is not seen here; this one is
    assert _all_reaped(forks)


def test_aside_without_fork_computes_when_asked(monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    calls = []
    result = forked.aside(lambda: calls.append(1) or len(calls))
    assert calls == []
    assert result() == 1 and result() == 1


def _refuse_to_load():
    raise RuntimeError("this result cannot be read back")


class _Unloadable:
    """Pickles, but fails when it is read back (as a result whose class changed would)."""

    def __reduce__(self):
        return (_refuse_to_load, ())


def test_aside_computes_here_a_result_that_cannot_be_read_back(forks):
    parent = os.getpid()
    result = forked.aside(lambda: "computed here" if os.getpid() == parent else _Unloadable())
    assert result() == "computed here"
    assert _all_reaped(forks)
