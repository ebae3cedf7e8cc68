"""A report kernel is ready once it answers kernel_info and publishes on IOPub
(pmlib.render.kernel._wait_for_ready): stale replies are skipped, an unsubscribed IOPub is
asked again, and a kernel that dies or never answers is an error, not a hang."""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from pmlib.render.kernel import _wait_for_ready


class _Channel:
    def __init__(self, items):
        self.items = list(items)

    async def get_msg(self, timeout=None):
        item = self.items.pop(0) if self.items else Empty
        if item is Empty:
            raise Empty
        return item(self.owner) if callable(item) else item


class _Client:
    """Answers from scripted shell and IOPub queues; kernel_info ids are k1, k2, ..."""

    def __init__(self, shell, iopub, alive=True):
        self.asked = 0
        self.shell_channel, self.iopub_channel = _Channel(shell), _Channel(iopub)
        self.shell_channel.owner = self.iopub_channel.owner = self
        self.alive = alive
        self.handled = None

    def kernel_info(self):
        self.asked += 1
        return f"k{self.asked}"

    async def _async_is_alive(self):
        return self.alive

    def _handle_kernel_info_reply(self, msg):
        self.handled = msg


def _reply(client):
    return {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": f"k{client.asked}"}}


STALE = {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": "k0"}}
STATUS = {"msg_type": "status", "parent_header": {}, "content": {"execution_state": "busy"}}


def test_ready_at_the_first_answer_with_iopub_connected():
    kc = _Client([_reply], [STATUS, STATUS, STATUS])
    asyncio.run(_wait_for_ready(kc, 5))
    assert kc.asked == 1
    assert kc.handled["parent_header"]["msg_id"] == "k1"
    assert len(kc.iopub_channel.items) == 2  # the rest is left for the requests' own filters


def test_a_stale_reply_or_a_silent_iopub_asks_again():
    kc = _Client([STALE, _reply, _reply], [Empty, STATUS])
    asyncio.run(_wait_for_ready(kc, 5))
    assert kc.asked == 3  # stale; answered but IOPub not yet subscribed; ready
    assert kc.handled["parent_header"]["msg_id"] == "k3"


def test_a_kernel_that_died_is_an_error():
    kc = _Client([Empty], [], alive=False)
    with pytest.raises(RuntimeError, match="died"):
        asyncio.run(_wait_for_ready(kc, 5))


def test_a_kernel_that_never_answers_times_out():
    kc = _Client([Empty] * 3, [])
    with pytest.raises(RuntimeError, match="didn't respond in 0 seconds"):
        asyncio.run(_wait_for_ready(kc, 0))
