"""Resources shared by the assets: the home folder, the run lock, and one GX context per run."""
from __future__ import annotations

import fcntl
import os
import time
from functools import cached_property
from typing import Any

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from pydantic import PrivateAttr

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


class HomeResource(ConfigurableResource):
    """The home folder; empty `path` = TIEDOLLA_HOME, else data/ in the checkout."""

    path: str = ""
    _lock: RunLock | None = PrivateAttr(default=None)

    def home(self) -> Home:
        return Home.at(self.path or None).ensure()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # The command line takes the lock before starting the run; runs from the UI, the schedule or the
        # sensor take it here, for the whole run (the job uses the in-process executor).
        # A run that cannot take it fails here, before any step has written anything.
        if os.environ.get(LOCK_HELD_ENV) == str(os.getpid()):
            return
        self._lock = RunLock(Home.at(self.path or None))
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


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt resource, without the in-process dbt adapter it opens before every command.

    The adapter only serves row counts and column metadata fetched from the warehouse, which these assets do
    not ask for; opening it imports dbt and loads the profile and project in this process, ~3 s of every
    run that builds (docs/scaling.md). dbt itself still runs in its own process as before. Both overrides
    are of dagster-dbt 0.29 internals: check them when requirements.lock moves dagster-dbt."""

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 (dagster-dbt 0.29's hook; None = no adapter)
        return None

    @cached_property
    def _cli_version(self):
        # dagster-dbt asks `dbt --version` in a subprocess (~3 s); the executable is the one installed here.
        from importlib.metadata import version as installed_version

        from packaging.version import Version

        return Version(installed_version("dbt-core"))
