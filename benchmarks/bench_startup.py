"""Where a cold ``pmlib run --force`` spends its time: each process's CPU and a timeline.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_startup.py            # one traced cold run
    .venv/bin/python benchmarks/bench_startup.py --runs 3   # three; CPU medians per process
    .venv/bin/python benchmarks/bench_startup.py --json timeline.json

Each run is what ``benchmarks/bench_pack.py`` times as "cold": pmlib byte-compiled, a fresh
``PMLIB_CACHE_DIR`` seeded only with the chart bundle, then ``pmlib run --quarter ... --force``.
Nothing in pmlib is changed for it. Two things watch the run from outside:

* a ``sitecustomize`` module put on ``PYTHONPATH`` (every Python process of the run imports it:
  the parent, the fork server, whose forked workers inherit it, the zygote and its kernels)
  that stamps events into one shared log with the wall time and the process's own CPU seconds:
  its start, the end of its imports, and the entry and exit of the functions named in
  :data:`TRACED` (wrapped when their module is imported);
* this process, polling ``/proc`` every 20 ms for every process of the run's tree, so a process
  that is killed (kernels are stopped with SIGKILL) still has its CPU counted.

The events are printed as a timeline (seconds since the command started, by process), then each
process's CPU seconds and the whole tree's (``getrusage(RUSAGE_CHILDREN)``). Tracing costs a
few milliseconds per event; the figures are for finding where time goes, not for the goals
(``bench_pack.py`` measures those, untraced).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUARTER = "2026/27 Q2"

#: ``module: [function or Class.method, ...]`` wrapped in every process (entry and exit stamped).
TRACED = {
    "pmlib.cli.run": ["cmd_run", "_prestart", "_recorded_plan", "_plan"],
    "pmlib.batch.pack": ["plan_pack", "run_pack"],
    "pmlib.data.validate": ["read_dataset", "read_settings", "build_dataset", "read_tables"],
    "pmlib.data.dataset_cache": ["load_dataset", "store_dataset"],
    "pmlib.batch.runner": ["run_batch", "_finish"],
    "pmlib.batch.manifest": ["hash_inputs", "code_fingerprint", "environment", "render_index"],
    "pmlib.batch.provenance": ["write_provenance"],
    "pmlib.batch.replan": ["save_plan", "plan_key"],
    "pmlib.batch.pool": [
        "run_pool",
        "_init_worker",
        "_render_one",
        "_discard",
        "prestart_pool",
        "_kernel",
        "_stop_kernel",
    ],  # fmt: skip
    "pmlib.render.kernel": [
        "ReportKernel.start",
        "ReportKernel.shutdown",
        "ReportKernel.reset",
        "preload_modules",
        "reset_kernel_state",
        "warm_charts",
    ],  # fmt: skip
    "pmlib.render.notebook": ["run_report", "warm_up"],
    "pmlib.render.html": ["export_html"],
    "pmlib.reports.committee": ["CommitteeReport.build"],
    "pmlib.present.svg_cache": ["draw_svg"],  # charts drawn (not read from the cache)
}

SITECUSTOMIZE = """
import os, sys, time, atexit, importlib.abc, importlib.util, functools
_LOG = os.environ["PMLIB_TRACE_LOG"]
_TRACED = {traced!r}
_T0 = time.time()

def _cmdline():
    try:
        with open("/proc/self/cmdline", "rb") as fh:
            return fh.read().replace(b"\\0", b" ").decode(errors="replace")
    except OSError:
        return " ".join(sys.argv)

_CMD = _cmdline()

_FORKED = []
os.register_at_fork(after_in_child=lambda: _FORKED.append(1))

def _role():
    if "zygote" in _CMD:
        return "kernel" if _FORKED else "zygote"
    if "ipykernel" in _CMD:
        return "kernel"
    if "spawn_main" in _CMD:
        return "worker"
    if "forkserver" in _CMD:  # the fork server, and the pool workers forked from it
        return "worker" if _FORKED else "forkserver"
    if "resource_tracker" in _CMD:
        return "helper"
    return "parent" if "pmlib" in _CMD else "other"

def _stamp(event, detail=""):
    t = os.times()
    line = "%.4f\\t%d\\t%s\\t%s\\t%.3f\\t%s\\n" % (
        time.time(), os.getpid(), _role(), event, t.user + t.system, detail)
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)

def _detail(args, kwargs):
    for a in list(args) + list(kwargs.values()):
        name = getattr(a, "name", None)
        if isinstance(name, str):
            return name
        if isinstance(a, dict) and "committee" in a:
            return str(a["committee"])
    c = kwargs.get("committee")
    return str(c) if isinstance(c, str) else ""

def _wrap(func, label):
    if getattr(func, "_pmlib_traced", False):
        return func
    @functools.wraps(func)
    def traced(*args, **kwargs):
        d = _detail(args, kwargs)
        _stamp(label + " >", d)
        try:
            return func(*args, **kwargs)
        finally:
            _stamp(label + " <", d)
    traced._pmlib_traced = True
    return traced

def _patch(module):
    for dotted in _TRACED.get(module.__name__, ()):
        owner, _, name = dotted.rpartition(".")
        target = getattr(module, owner) if owner else module
        func = getattr(target, name, None)
        if func is not None:
            setattr(target, name, _wrap(func, dotted))

class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname not in _TRACED:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module
        def run(module, _exec=exec_module):
            _exec(module)
            _patch(module)
        class Wrapped:
            def __getattr__(self, item):
                return getattr(loader, item)
            def create_module(self, spec):
                return loader.create_module(spec)
            def exec_module(self, module):
                run(module)
        spec.loader = Wrapped()
        return spec

sys.meta_path.insert(0, _Finder())
_stamp("process start")
atexit.register(_stamp, "process exit")
"""


class TreeWatcher(threading.Thread):
    """Poll /proc for every descendant of ``root`` and keep each one's last CPU seconds."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.cpu: dict[int, float] = {}
        self.split: dict[int, tuple[float, float, int]] = {}
        self.cmd: dict[int, str] = {}
        self.stop = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def _children(self) -> dict[int, int]:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = stat.rpartition(")")[2].split()
                parents[int(entry)] = (int(fields[1]), fields)
        tree, todo = {}, [self.root]
        while todo:
            pid = todo.pop()
            for child, (ppid, fields) in parents.items():
                if ppid == pid and child not in tree:
                    tree[child] = fields
                    todo.append(child)
        if self.root in parents:
            tree[self.root] = parents[self.root][1]
        return tree

    def run(self) -> None:
        while not self.stop.is_set():
            for pid, fields in self._children().items():
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self.tick
                self.split[pid] = (int(fields[11]) / self.tick, int(fields[12]) / self.tick,
                                   int(fields[7]))  # fmt: skip
                if pid not in self.cmd:
                    try:
                        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
                        self.cmd[pid] = raw.replace(b"\0", b" ").decode(errors="replace")[:120]
                    except OSError:
                        pass
            time.sleep(0.02)


def _fresh_cache(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_pack import _fresh_cache as fresh

    return fresh(folder)


def traced_run(tmp: Path, extra: list[str]) -> dict:
    site = tmp / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        textwrap.dedent(SITECUSTOMIZE).replace("{traced!r}", repr(TRACED))
    )
    log = tmp / "trace.tsv"
    env = {
        **os.environ,
        "PMLIB_CACHE_DIR": str(_fresh_cache(tmp / "cache")),
        "PMLIB_TRACE_LOG": str(log),
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).strip(
            os.pathsep
        ),
    }
    cmd = [str(BIN / "pmlib"), "run", "--quarter", QUARTER, "--format", "html", "-q",
           "--out", str(tmp / "pack"), "--force", *extra]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watcher = TreeWatcher(proc.pid)
    watcher.start()
    out, err = proc.communicate()
    wall = time.time() - t0
    time.sleep(0.1)
    watcher.stop.set()
    watcher.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit(f"pmlib run failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    tree_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    events = []
    for line in log.read_text().splitlines():
        t, pid, role, event, cpu, detail = line.split("\t")
        events.append({"t": float(t) - t0, "pid": int(pid), "role": role, "event": event,
                       "cpu": float(cpu), "detail": detail})  # fmt: skip
    roles = {e["pid"]: e["role"] for e in events}
    return {"wall": wall, "tree_cpu": tree_cpu, "events": events, "roles": roles,
            "cpu": watcher.cpu, "split": watcher.split, "cmd": watcher.cmd}  # fmt: skip


def _names(run: dict) -> dict[int, str]:
    """parent, worker-1.., kernel-1.. by start order; others by their command."""
    first = {}
    for e in run["events"]:
        first.setdefault(e["pid"], e["t"])
    names, counts = {}, {}
    for pid in sorted(first, key=first.get):
        role = run["roles"][pid]
        if role == "parent":
            names[pid] = "parent"
        else:
            counts[role] = counts.get(role, 0) + 1
            names[pid] = f"{role}-{counts[role]}"
    return names


def print_run(run: dict, verbose: bool) -> dict[str, float]:
    names = _names(run)
    print(f"\nwall {run['wall']:.2f} s, CPU of the whole tree {run['tree_cpu']:.2f} s")
    print(f"{'t (s)':>7} {'process':<10} {'cpu':>6}  event")
    skip = ("read_settings", "_kernel", "plan_key", "code_fingerprint", "environment", "draw_svg")
    for e in sorted(run["events"], key=lambda e: e["t"]):
        if not verbose and e["event"].split(" ")[0] in skip:
            continue
        print(f"{e['t']:7.3f} {names.get(e['pid'], e['pid']):<10} {e['cpu']:6.2f}  "
              f"{e['event']} {e['detail']}")  # fmt: skip
    drawn = sum(e["event"] == "draw_svg >" for e in run["events"])
    print(f"\ncharts drawn by vl-convert (not read from the SVG cache): {drawn}")
    per: dict[str, float] = {}
    print("\nCPU seconds per process (polled from /proc; a kernel is killed, not exited):")
    print(f"  {'process':<40} {'cpu':>6} {'user':>6} {'system':>6} {'minor faults':>12}")
    for pid, cpu in sorted(run["cpu"].items()):
        cmd = run["cmd"].get(pid, "?")
        # the chart drawer (pmlib.present.drawer) is forked by the zygote and stamps nothing
        untraced = "drawer" if "pmlib.render.zygote" in cmd else "(untraced) " + cmd[:60]
        name = names.get(pid) or untraced
        per[name] = cpu
        user, system, faults = run["split"].get(pid, (0.0, 0.0, 0))
        print(f"  {name:<40} {cpu:6.2f} {user:6.2f} {system:6.2f} {faults:12d}")
    return per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--json", type=Path, help="write every run's events and CPU here")
    ap.add_argument("-v", "--verbose", action="store_true", help="every traced event")
    args = ap.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pmlib")], check=True)
    extra = ["--jobs", str(args.jobs)] if args.jobs else []
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            run = traced_run(Path(tmp), extra)
        print(f"=== run {i + 1}")
        run["per_process"] = print_run(run, args.verbose)
        runs.append(run)
    if args.runs > 1:
        walls = sorted(r["wall"] for r in runs)
        cpus = sorted(r["tree_cpu"] for r in runs)
        print(f"\nwall {walls[0]:.2f}–{walls[-1]:.2f} s; tree CPU {cpus[0]:.2f}–{cpus[-1]:.2f} s")
    if args.json:
        for r in runs:
            r["cpu"] = {str(k): v for k, v in r["cpu"].items()}
            r["split"] = {str(k): v for k, v in r["split"].items()}
            r["cmd"] = {str(k): v for k, v in r["cmd"].items()}
            r["roles"] = {str(k): v for k, v in r["roles"].items()}
        args.json.write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
