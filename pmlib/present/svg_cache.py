"""A content-addressed cache of the static SVGs vl-convert draws, on disk and in memory.

Drawing one chart costs vl-convert ~40-80 ms of CPU, and it is most of a committee report's
time: the demo pack draws 95 charts, and the same indicator's trend and SPC charts appear in
its committee's report *and* in Cabinet's and the Performance Board's (33 of 87 exception
charts are unique across the five reports). A drawing depends only on what vl-convert is given,
so it is stored under a hash of exactly that:

* the spec's JSON as it is passed (key order kept: Vega-Lite's output may follow it, so two
  specs that differ only in key order are drawn separately rather than risk a wrong picture);
* every option of the call (config, locales, allowed URLs: :func:`draw_svg`'s ``options``);
* the versions of vl-convert, the Vega and Vega-Lite it bundles, the local time zone (dates
  on a time axis are drawn in it) and a fingerprint of the system's font folders (text is
  measured with the installed fonts, so a new font can move a label).

Files live under ``<cache dir>/svg/`` (:func:`pmlib.core.cache.cache_dir`), shared by the two
kernels of one ``pmlib run`` and by later runs. Each is written to a temporary file and renamed
into place (two kernels drawing the same chart at once both write whole, identical files),
readable by its owner only (a chart holds the council's figures before they are published),
and carries a SHA-256 of its body, so a truncated or corrupted file is ignored and redrawn. The
folder is kept under :data:`MAX_BYTES` by removing the least recently used files. Any error
here falls back to drawing: the cache only ever saves time.

When a batch's drawer draws for this kernel (:mod:`pmlib.present.drawer`), :func:`prefetch`
hands it a report's charts ahead of their display, from a thread: the drawer draws while the
kernel goes on building the sections, and each display then finds its drawing done (or waits
for the one being drawn) instead of asking and waiting in turn. The drawings are the same; only
when they are made changes.

Module-level imports are standard library only: the kernel imports this module.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pmlib.core.cache import cache_dir

log = logging.getLogger(__name__)

__all__ = [
    "MAX_BYTES",
    "cached_svg",
    "clear_svg_cache",
    "draw_svg",
    "prefetch",
    "svg_cache_folder",
]

#: The folder's size bound: about a thousand report charts (20-60 KB each).
MAX_BYTES = 48 * 2**20
#: Drawings kept in memory per process (a pack's charts, twice over; ~8 MB at most).
MEMO_ENTRIES = 256
_FORMAT = 1  # bump when what is stored, or how it is keyed, changes
_HEADER = b"pmlib-svg 1 "
_PRUNE_EVERY = 64  # writes between two looks at the folder's size

_memo: OrderedDict[str, str] = OrderedDict()
_writes = 0
#: Drawings handed to the drawer ahead of display and not yet back, by key.
_ahead: dict[str, threading.Event] = {}
_state = threading.Lock()  # _memo and _ahead, shared with the prefetch thread
_AHEAD_WAIT = 120.0  # seconds a display waits for a drawing ahead before drawing it itself


def svg_cache_folder() -> Path:
    """Where drawings are stored: ``<cache dir>/svg``."""
    return cache_dir() / "svg"


def draw_svg(spec: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """vl-convert's SVG for ``spec`` drawn now with ``options`` (its keyword arguments): by the
    batch's drawer when there is one (:mod:`pmlib.present.drawer`), else in this process."""
    from pmlib.present.drawer import draw

    body = draw(spec, options)
    if body is not None:
        return body
    import vl_convert as vlc  # lazy: ~40 ms, and only charts drawn in the kernel need it

    return vlc.vegalite_to_svg(dict(spec), **options)


def cached_svg(spec: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """:func:`draw_svg`'s result, from memory or disk when this exact drawing was made before.

    Raises whatever :func:`draw_svg` raises (a chart vl-convert cannot draw is never stored).
    """
    try:
        key = _key(spec, options)
    except (TypeError, ValueError):  # not plain JSON: vl-convert decides; nothing to key on
        return draw_svg(spec, options)
    with _state:
        body = _memo.get(key)
        ahead = _ahead.get(key)
    if body is None and ahead is not None:  # being drawn ahead: wait for it
        ahead.wait(_AHEAD_WAIT)
        with _state:
            body = _memo.get(key)
    if body is not None:
        _remember(key, body)
        return body
    path = svg_cache_folder() / f"{key}.svg"
    body = _read(path)
    if body is None:
        body = draw_svg(spec, options)
        _write(path, body)
    _remember(key, body)
    return body


def _remember(key: str, body: str) -> None:
    with _state:
        _memo[key] = body
        _memo.move_to_end(key)
        while len(_memo) > MEMO_ENTRIES:
            _memo.popitem(last=False)


def prefetch(specs: Iterable[Mapping[str, Any]], options: Mapping[str, Any]) -> int:
    """Have the batch's drawer start on the drawings of ``specs`` not yet made (in memory or on
    disk), in order, from a thread of this process; :func:`cached_svg` then takes each from
    memory, or waits for it. Returns how many were handed over: none when no drawer draws for
    this process (drawing here on a thread would only compete with the kernel for a core).
    A drawing that fails ahead is drawn again on display, which reports the error as before.
    """
    from pmlib.present.drawer import available

    if not available():
        return 0
    folder = svg_cache_folder()
    jobs = []
    for spec in specs:
        try:
            key = _key(spec, options)
        except (TypeError, ValueError):
            continue
        path = folder / f"{key}.svg"
        if path.exists():  # on disk already: read on display
            continue
        with _state:
            if key in _memo or key in _ahead:
                continue
            _ahead[key] = threading.Event()
        jobs.append((key, spec, path))
    if jobs:
        options = dict(options)
        threading.Thread(
            target=_draw_ahead, args=(jobs, options), name="pmlib-svg-ahead", daemon=True
        ).start()
    return len(jobs)


def _draw_ahead(jobs: list[tuple[str, Mapping[str, Any], Path]], options: dict) -> None:
    from pmlib.present.drawer import draw

    for key, spec, path in jobs:
        try:
            body = draw(spec, options)
            if body is not None:
                _write(path, body)
                _remember(key, body)
        except Exception:  # noqa: BLE001 - drawn again on display, which says why
            pass
        finally:
            with _state:
                event = _ahead.pop(key, None)
            if event is not None:
                event.set()


def clear_svg_cache() -> None:
    """Forget every stored drawing, in this process and on disk (for a benchmark's floor, which
    must draw what it times, or after installing fonts in a place not fingerprinted)."""
    with _state:
        _memo.clear()
    folder = svg_cache_folder()
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if path.suffix in (".svg", ".tmp"):
                with contextlib.suppress(OSError):
                    path.unlink()


def _key(spec: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    salt = json.dumps([_FORMAT, _engine(), dict(options)], sort_keys=True, separators=(",", ":"))
    h = hashlib.sha256(salt.encode("utf-8"))
    h.update(b"\0")
    h.update(text.encode("utf-8"))
    return h.hexdigest()


@functools.cache
def _engine() -> tuple[str, ...]:
    """vl-convert's version, the Vega and Vega-Lite versions it bundles, the time zone it
    draws dates in (the drawer's, when the batch has one: it draws), and the fonts."""
    from pmlib.present.drawer import engine

    drawer = engine()
    if drawer is not None:  # asking vl-convert here would start an engine for nothing
        return (*drawer, _fonts_fingerprint())
    import vl_convert as vlc

    return (
        getattr(vlc, "__version__", "?"),
        vlc.get_vega_version(),
        ",".join(vlc.get_vegalite_versions()),
        str(vlc.get_local_tz()),
        _fonts_fingerprint(),
    )


def _font_roots() -> list[Path]:
    """The folders vl-convert's font database reads on this system (fontdb's system fonts)."""
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        local = os.environ.get("LOCALAPPDATA", str(home / "AppData" / "Local"))
        return [Path(windir) / "Fonts", Path(local) / "Microsoft" / "Windows" / "Fonts"]
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
    data = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    roots = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".fonts"]
    return [*roots, Path(data) / "fonts"]


def _fonts_fingerprint() -> str:
    """A digest of every font folder's path and modification time: adding or removing a font
    changes its folder's time, and so every key (once per process: a few ms)."""
    h = hashlib.sha256()
    for root in _font_roots():
        for folder, _dirs, _files in sorted(os.walk(root)):
            with contextlib.suppress(OSError):
                h.update(f"{folder}\0{os.stat(folder).st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]


def _read(path: Path) -> str | None:
    """The stored drawing, or ``None`` when missing; a damaged file is removed."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, _, body = data.partition(b"\n")
    if head == _HEADER + hashlib.sha256(body).hexdigest().encode("ascii"):
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept when pruning
        return body.decode("utf-8")
    log.debug("Ignoring a damaged chart drawing in the cache: %s", path)
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def _write(path: Path, body: str) -> None:
    """Store a drawing atomically, owner-only; prune the folder now and then."""
    global _writes
    data = body.encode("utf-8")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:16]}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:  # mkstemp: readable by the owner only
                fh.write(_HEADER + hashlib.sha256(data).hexdigest().encode("ascii") + b"\n")
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:  # a read-only home, a full disk: draw again next time
        log.debug("Could not cache a chart drawing at %s: %s", path, exc)
        return
    if _writes % _PRUNE_EVERY == 0:
        prune(path.parent, keep=path)
    _writes += 1


def prune(folder: Path, keep: Path | None = None, max_bytes: int = MAX_BYTES) -> None:
    """Remove the least recently used drawings until the folder holds at most ``max_bytes``
    (never ``keep``), and temporary files left by a process killed mid-write an hour ago."""
    entries = []
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                st = entry.stat()
                if entry.name.endswith(".svg"):
                    entries.append((st.st_mtime, st.st_size, Path(entry.path)))
                elif entry.name.endswith(".tmp") and now - st.st_mtime > 3600:
                    os.unlink(entry.path)
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        if path != keep:
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
