"""Old import paths that keep working for one release, with a ``DeprecationWarning``.

pmlib 0.2 moved its flat modules into layered subpackages (``docs/architecture.md``). An old
module path (``pmlib.rate``) is served by a finder that :mod:`pmlib` installs: it builds a
small module that forwards every name to the new home and warns, at the importing line, where
that is. A package that took a module's place forwards the names that moved out of it
(``pmlib.render.enable_offline_charts``) through :func:`moved_names`. Removed in pmlib 0.3.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["OLD_MODULES", "install_finder", "moved_names"]

#: Each old flat module and the modules that now hold its names, searched in order.
OLD_MODULES: dict[str, tuple[str, ...]] = {
    "pmlib.errors": ("pmlib.core.errors",),
    "pmlib.periods": ("pmlib.core.periods",),
    "pmlib.files": ("pmlib.core.files",),
    "pmlib.frames": ("pmlib.core.frames",),
    "pmlib.model": ("pmlib.core.model",),
    "pmlib.artifacts": ("pmlib.core.artifacts",),
    "pmlib.present_text": ("pmlib.core.numbers",),
    "pmlib.schemes": ("pmlib.config.schemes",),
    "pmlib.load": ("pmlib.data.load",),
    "pmlib.schema": ("pmlib.data.schema",),
    "pmlib.validate": ("pmlib.data.validate",),
    "pmlib.quality": ("pmlib.data.quality",),
    "pmlib.rollup": ("pmlib.rating.rollup",),
    "pmlib.trend": ("pmlib.rating.trend",),
    "pmlib.rate": ("pmlib.rating.engine",),
    "pmlib.tables": ("pmlib.present.tables",),
    "pmlib.charts": ("pmlib.present.charts",),
    "pmlib.theme": ("pmlib.present.theme",),
    "pmlib.benchmark": ("pmlib.benchmarking.stats",),
    "pmlib.benchmark_io": ("pmlib.benchmarking.io", "pmlib.benchmarking.positions"),
    "pmlib.committee": ("pmlib.reports.committee",),
    "pmlib.benchmark_report": ("pmlib.reports.benchmark",),
    "pmlib.kernel": ("pmlib.render.kernel",),
    "pmlib.report": ("pmlib.render.notebook",),
    "pmlib.workers": ("pmlib.batch.pool",),
    "pmlib.manifest": ("pmlib.batch.manifest",),
    "pmlib.pack": ("pmlib.batch.pack",),
    "pmlib.cli_run": ("pmlib.cli.run",),
    "pmlib.cli_benchmark": ("pmlib.cli.benchmark",),
}


def _warn(old: str, new: str, stacklevel: int) -> None:
    warnings.warn(
        f"{old} moved to {new} in pmlib 0.2; the old path is removed in 0.3. "
        f"Fix: import it from {new}.",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def _forward(old: str, targets: tuple[str, ...]) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        for target in targets:
            module = importlib.import_module(target)
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"module {old!r} has no attribute {name!r}")

    return __getattr__


class _OldPathLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return types.ModuleType(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        targets = OLD_MODULES[module.__name__]
        module.__doc__ = f"Deprecated alias of {', '.join(targets)} (removed in pmlib 0.3)."
        module.__getattr__ = _forward(module.__name__, targets)  # type: ignore[attr-defined]
        # frames: this method, importlib's _load_unlocked / _find_and_load (x2), the import
        _warn(module.__name__, " / ".join(targets), stacklevel=2)


class _OldPathFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname in OLD_MODULES:
            return importlib.machinery.ModuleSpec(fullname, _OldPathLoader())
        return None


def install_finder() -> None:
    """Serve the old module paths (idempotent; :mod:`pmlib` calls it on import)."""
    if not any(isinstance(f, _OldPathFinder) for f in sys.meta_path):
        sys.meta_path.append(_OldPathFinder())


def moved_names(
    package: str,
    names: Mapping[str, str],
    *,
    deprecated: Mapping[str, str] | None = None,
) -> Callable[[str], Any]:
    """The ``__getattr__`` of a package that re-exports names lazily.

    ``names`` maps a name to the module that defines it (imported on first use, so importing
    the package stays cheap). ``deprecated`` maps names that used to live here and moved
    elsewhere: they still resolve, with a ``DeprecationWarning``.
    """
    deprecated = dict(deprecated or {})

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        if name in deprecated:
            _warn(f"{package}.{name}", f"{deprecated[name]}.{name}", stacklevel=3)
            return getattr(importlib.import_module(deprecated[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
