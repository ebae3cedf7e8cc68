"""A real PostgreSQL server for the tests, started in a temporary folder and stopped after.

Debian's ``postgresql`` package (``make system-deps`` installs it) puts its programs in
``/usr/lib/postgresql/<version>/bin``, off the PATH; ``PMLIB_PG_BIN`` may name another folder.
The cluster is made with ``initdb`` (trust authentication, no password) and the server listens
only on a Unix socket inside the folder, so nothing else on the machine can reach it and no port
can clash. PostgreSQL refuses to run as root: as root, the folder is handed to the unprivileged
``nobody`` user and the server runs as that user (``runuser``); the tests connect through the
socket as the cluster's superuser ``pmlib``.

When no PostgreSQL is installed the tests that need it are skipped with the reason and the
command that installs it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "pmlib"
INSTALL_HINT = "PostgreSQL is not installed: run `make system-deps` (apt-get install postgresql)"


def pg_bin() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest version), or None."""
    if os.environ.get("PMLIB_PG_BIN"):
        return Path(os.environ["PMLIB_PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: [int(x) for x in Path(p).parts[-3].split(".") if x.isdigit()],
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _as_owner(argv: list[str]) -> list[str]:
    """The command run as the cluster's owner: ``nobody`` when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *argv]
    return argv


def _run(argv: list[str], log: Path | None = None) -> None:
    out = subprocess.run(_as_owner(argv), capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        extra = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise RuntimeError(f"{' '.join(argv[:2])} failed:\n{out.stdout}\n{out.stderr}\n{extra}")


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throwaway server; yield the URL of its ``postgres`` database; stop and delete."""
    bindir = pg_bin()
    if bindir is None or not (bindir / "pg_ctl").exists():
        pytest.skip(INSTALL_HINT)
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: PostgreSQL cannot be started as root")
    # /tmp, not pytest's tmp_path: as root the server runs as nobody, who cannot enter
    # pytest's private (0700) folders; the short path also keeps the socket path < 108 bytes
    root = Path(tempfile.mkdtemp(prefix="pmlib-pg-"))
    data = root / "data"
    log = root / "server.log"
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
              "--locale=C", "--no-sync"])  # fmt: skip
        options = f"-k {root} -c listen_addresses='' -F -c max_connections=20"
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
              "-t", "60", "start"], log)  # fmt: skip
        try:
            yield f"postgresql+psycopg://{USER}@/postgres?host={root}"
        finally:
            subprocess.run(
                _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """A new, empty database on the server; its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server_url.replace("/postgres?", f"/{name}?")
