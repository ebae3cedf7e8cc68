"""YAML parameter files read with errors that name the line and say how to fix it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pmlib.core.errors import ConfigError


class _DuplicateKey(yaml.YAMLError):
    """A mapping names the same key twice: YAML keeps the last silently, a council would not."""

    def __init__(self, key: object, first: yaml.Mark, again: yaml.Mark) -> None:
        super().__init__(f"{key!r} appears twice")
        self.key, self.first, self.again = key, first, again


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping.

    PyYAML keeps the later value without a word, so a council.yaml with two ``exceptions:``
    blocks (one pasted from an example) would quietly apply only the second.
    """

    def construct_mapping(self, node, deep=False):  # noqa: D102 - see the class docstring
        seen: dict[object, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise _DuplicateKey(key, seen[key], key_node.start_mark)
            except TypeError:  # an unhashable key: SafeLoader's own error follows
                continue
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_mapping
)


def read_yaml(path: Path) -> Any:
    """Read one YAML file, turning syntax errors into a message with the line number."""
    if not path.exists():
        raise ConfigError(
            f"{path}: file not found. Fix: create it (see docs/data-format.md#parameters) or "
            f"point --params at the folder that holds council.yaml, committees.yaml and "
            f"rag_schemes.yaml."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason}). Fix: save it as UTF-8.") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise ConfigError(
            f"{path}: line {exc.again.line + 1}: the key {exc.key!r} is given twice (first on "
            f"line {exc.first.line + 1}); YAML would silently keep only the second. Fix: "
            f"delete one of them, or merge their settings into one."
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{path}:{where}: not valid YAML: {problem}. Fix: check the indentation (spaces, "
            f"not tabs) and the punctuation on that line; quote any text that contains ': ' "
            f'or starts with a special character, e.g. name: "Homes: a fair start".'
        ) from exc
