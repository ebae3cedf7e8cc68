"""The pmlib engine's outputs (pmlib.render.engine.output_from_msg): the very nodes nbformat
makes from a kernel's messages, without checking each one against the schema on its own."""

from __future__ import annotations

import pytest
from nbformat.v4 import output_from_msg as nbformat_output_from_msg

from pmlib.render.engine import output_from_msg

MESSAGES = [
    {"header": {"msg_type": "display_data"},
     "content": {"data": {"text/html": "<p>Figure</p>", "text/plain": "<Figure>"},
                 "metadata": {"text/html": {"isolated": True}}, "transient": {"display_id": "x"}}},
    {"header": {"msg_type": "execute_result"},
     "content": {"data": {"text/plain": "42"}, "metadata": {}, "execution_count": 7}},
    {"header": {"msg_type": "stream"}, "content": {"name": "stderr", "text": "a warning\n"}},
    {"header": {"msg_type": "error"},
     "content": {"ename": "KeyError", "evalue": "'no such column'",
                 "traceback": ["\x1b[0;31mKeyError\x1b[0m", "line 5"]}},
]  # fmt: skip


@pytest.mark.parametrize("msg", MESSAGES, ids=lambda m: m["header"]["msg_type"])
def test_an_output_is_the_node_nbformat_makes(msg):
    ours, theirs = output_from_msg(msg), nbformat_output_from_msg(msg)
    assert ours == theirs
    assert list(ours) == list(theirs)  # the same keys in the same order
    assert type(ours.get("data")) is type(theirs.get("data"))


def test_a_message_that_is_no_output_is_refused_as_nbformat_refuses_it():
    msg = {"header": {"msg_type": "status"}, "content": {"execution_state": "idle"}}
    with pytest.raises(ValueError, match="Unrecognized output msg type"):
        nbformat_output_from_msg(msg)
    with pytest.raises(ValueError, match="Unrecognized output msg type"):
        output_from_msg(msg)
