"""Resources shared by the assets: the home folder, the run lock, and one GX context per run."""
from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from tiedolla.home import Home

LOCK_HELD_ENV = "TIEDOLLA_LOCK_HELD_BY"


class RunLockBusy(RuntimeError):
    """Another run holds the home."""


class RunLock:
    """An exclusive lock on `<home>/.run.lock`: only one run writes a home at a time."""

    def __init__(self, home: "Home"):
        self.path = home.lock_file
        self._handle: Any = None

    def acquire(self, wait_seconds: float = 0.0) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "a+")
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._handle.seek(0)
                self._handle.truncate()
                self._handle.write(f"{os.getpid()}\n")
                self._handle.flush()
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self.path.read_text().strip() or "another process"
                    self._handle.close()
                    self._handle = None
                    raise RunLockBusy(f"another run (pid {holder}) is writing {self.path.parent}; "
                                      "nothing was changed. Try again later or pass --wait SECONDS.")
                time.sleep(0.5)

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class HomeResource(ConfigurableResource):
    """The home folder; empty `path` = TIEDOLLA_HOME, else data/ in the checkout."""

    path: str = ""
    _lock: RunLock | None = PrivateAttr(default=None)

    def home(self) -> Home:
        return Home.at(self.path or None).ensure()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # The command line takes the lock before starting the run; runs from the UI, the schedule or the
        # sensor take it here, for the whole run (the job uses the in-process executor).
        if os.environ.get(LOCK_HELD_ENV) == str(os.getpid()):
            return
        self._lock = RunLock(self.home())
        self._lock.acquire()

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()


class GreatExpectationsResource(ConfigurableResource):
    """One ephemeral GX context for the whole run, created on first use (GX takes seconds to import)."""

    _validator: Any = PrivateAttr(default=None)

    def validator(self):
        if self._validator is None:
            from quality_checks.validate import Validator

            self._validator = Validator()
        return self._validator
