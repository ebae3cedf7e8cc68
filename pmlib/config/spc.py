"""``council.yaml``'s ``spc:`` key → :class:`~pmlib.core.spc_settings.SpcSettings`.

.. code-block:: yaml

    spc:
      show: true            # default false: reports show no SPC
      indicators: all       # or a list of references, e.g. [RES03, RES10]
      min_points: 15        # fewer figures than this: no SPC for that indicator
      shift_points: 7       # 6 as the Making Data Count Excel tool allows
      trend_points: 7
      screen_outliers: true # false reproduces the Making Data Count Excel tool

Every setting is optional. A wrong value is a :class:`~pmlib.core.errors.Problem` naming the
file *and the line* (found by composing the YAML again, only when something is wrong), the key,
the value and the fix, collected with the rest of council.yaml's problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pmlib.core.errors import Problem
from pmlib.core.spc_settings import MIN_POINTS, SpcSettings

__all__ = ["SPC_KEYS", "indicator_lines", "read_spc", "yaml_lines"]

#: The council.yaml keys this module reads.
SPC_KEYS = frozenset({"spc"})
_SETTINGS = ("show", "indicators", "min_points", "shift_points", "trend_points", "screen_outliers")
_COUNTS = {
    "min_points": (2, f"write a whole number of points, e.g. min_points: {MIN_POINTS} (Making "
                   "Data Count advises 15; at least 2)"),
    "shift_points": (3, "write shift_points: 7 (or 6, as the Making Data Count Excel tool)"),
    "trend_points": (3, "write trend_points: 7"),
}  # fmt: skip


def yaml_lines(path: Path) -> dict[str, int]:
    """``spc`` and ``spc.<key>`` → the line (from 1) its value is on, as far as it can be found."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    out: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if key.value != "spc":
            continue
        out["spc"] = key.start_mark.line + 1
        if isinstance(value, yaml.MappingNode):
            for sub, node in value.value:
                out[f"spc.{sub.value}"] = node.start_mark.line + 1
    return out


def indicator_lines(path: Path) -> dict[str, int]:
    """Each reference listed under ``spc.indicators`` → the line (from 1) it is written on, for
    naming an unknown one where it is (:func:`pmlib.data.spc_checks.check_spc_indicators`)."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    out: dict[str, int] = {}
    for key, value in root.value if isinstance(root, yaml.MappingNode) else ():
        if key.value != "spc" or not isinstance(value, yaml.MappingNode):
            continue
        for sub, node in value.value:
            if sub.value != "indicators":
                continue
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            for item in items:
                if isinstance(item, yaml.ScalarNode):
                    out.setdefault(str(item.value).strip(), item.start_mark.line + 1)
    return out


def read_spc(path: Path, raw: dict, problems: list[Problem]) -> SpcSettings:
    """council.yaml's ``spc:`` (``raw`` is the whole file's mapping); problems are appended."""
    section = raw.get("spc")
    if section is None:
        return SpcSettings()
    found: list[tuple[str, str, str, Any]] = []  # (key, message, fix, value)
    if not isinstance(section, dict):
        found.append(
            ("", "expected settings under spc:", "write e.g. spc: {show: true, min_points: 15}",
             section)
        )  # fmt: skip
        section = {}
    for key in sorted(set(map(str, section)) - set(_SETTINGS)):
        found.append((key, "unknown setting", f"use one of {', '.join(_SETTINGS)}", None))
    kwargs: dict[str, Any] = {}
    for key in ("show", "screen_outliers"):
        if key in section:
            value = section[key]
            if isinstance(value, bool):
                kwargs[key] = value
            else:
                found.append((key, "must be true or false", f"write {key}: true", value))
    for key, (least, fix) in _COUNTS.items():
        if key in section:
            value = section[key]
            if isinstance(value, int) and not isinstance(value, bool) and value >= least:
                kwargs[key] = value
            else:
                found.append(
                    (key, f"must be a whole number of points, {least} or more", fix, value)
                )
    if "indicators" in section:
        value = section["indicators"]
        if isinstance(value, str) and value.strip().lower() == "all":
            kwargs["indicators"] = None
        elif isinstance(value, str) and value.strip():
            kwargs["indicators"] = (value.strip(),)
        elif isinstance(value, list) and value and all(isinstance(v, str | int) for v in value):
            kwargs["indicators"] = tuple(str(v).strip() for v in value)
        else:
            found.append(
                ("indicators", "must be all or a list of indicator references",
                 "write indicators: all, or indicators: [RES03, RES10]", value)
            )  # fmt: skip
    if found:
        lines = yaml_lines(path)
        for key, message, fix, value in found:
            column = f"spc.{key}" if key else "spc"
            line = lines.get(column) or lines.get("spc")
            where = f"{path.name}, line {line}" if line else path.name
            problems.append(Problem(where, message, fix, column=column, value=value))
    return SpcSettings(**kwargs)
