"""Resources shared by the assets: the home folder (holding the run lock) and one GX context per run."""
from __future__ import annotations

import os
from typing import Any

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from orchestration.run_lock import LOCK_HELD_ENV, RunLock
from tiedolla.home import Home

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

