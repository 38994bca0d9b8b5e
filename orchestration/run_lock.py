"""The run lock: one run writes a home at a time (pipeline.md).

Its own module, free of Dagster: `tiedolla run` takes the lock before it knows whether anything changed,
and a run that stops at "no changes" should not pay for importing Dagster."""
from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from tiedolla.home import Home

LOCK_HELD_ENV = "TIEDOLLA_LOCK_HELD_BY"


class RunLockBusy(RuntimeError):
    """Another run holds the home."""


class RunLock:
    """An exclusive lock on `<home>/.run.lock`: only one run writes a home at a time."""

    # A refusing run still retries this long, so the sensor's and the schedule's probe (which holds the
    # lock for microseconds, see `held`) never makes a starting run refuse.
    PROBE_GRACE_SECONDS = 0.2

    def __init__(self, home: "Home"):
        self.path = home.lock_file
        self._handle: Any = None

    def acquire(self, wait_seconds: float = 0.0) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "a+")
        deadline = time.monotonic() + max(wait_seconds, self.PROBE_GRACE_SECONDS)
        while True:
            try:
                fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._handle.seek(0)
                self._handle.truncate()
                self._handle.write(f"{os.getpid()}\n")
                self._handle.flush()
                return
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    holder = self.path.read_text().strip()
                    who = f"another run (pid {holder})" if holder else "another run"
                    self._handle.close()
                    self._handle = None
                    raise RunLockBusy(f"{who} is writing {self.path.parent}; nothing was changed. "
                                      "Try again later or pass --wait SECONDS.")
                time.sleep(min(0.5, remaining))

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def held(self) -> bool:
        """Whether a run holds the home now; creates nothing (the sensor and the schedule ask every tick)."""
        try:
            handle = open(self.path)
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
