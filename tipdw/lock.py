"""One writer at a time: ingest and build take an exclusive lock on ``$TIPDW_HOME/write.lock``.

DuckDB allows a single writing process per file; the lock turns a second writer into a clean wait
(up to a timeout) or a clear refusal with exit code ``EXIT_BUSY``, never a corrupt file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

EXIT_BUSY = 75  # EX_TEMPFAIL: another writer holds the warehouse; try again later.


class WarehouseBusy(RuntimeError):
    """Another tipdw process is writing to this warehouse."""


@contextlib.contextmanager
def writer_lock(path: Path, timeout: float = 0.0, what: str = "write") -> Iterator[None]:
    """Hold the warehouse's writer lock, waiting up to ``timeout`` seconds for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
                    raise WarehouseBusy(
                        f"cannot {what}: the warehouse {path.parent} is busy ({holder}). "
                        f"Wait for it to finish, or pass --wait SECONDS to queue."
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} ({what})".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)


def connect_when_free(path: Path, read_only: bool = False, timeout: float = 15.0):
    """Open a DuckDB file, retrying while another process still holds its file lock.

    After a killed ``tipdw build``, its dbt child is killed with it (PR_SET_PDEATHSIG) but may take a
    moment to die and release the database; the next writer waits for that instead of failing."""
    import duckdb

    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
