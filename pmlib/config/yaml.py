"""YAML parameter files read with errors that name the line and say how to fix it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pmlib.core.errors import ConfigError


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
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{path}:{where}: not valid YAML: {problem}. Fix: check the indentation (spaces, "
            f"not tabs) and the punctuation on that line; quote any text that contains ': ' "
            f'or starts with a special character, e.g. name: "Homes: a fair start".'
        ) from exc
