"""One small home shared by the reliability tests that need a real run (a run takes most of a minute, so the
session makes one): a delivery lands, two `tiedolla run` start at the same moment, and a third with `--wait`
starts while the winner holds the home. Every process runs with umask 022, as in CI, so the file modes the
tests see are the ones the code sets, not the ones the shell happened to give."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ("--scale", "0.02", "--months", "2023-01:2023-02", "--municipalities", "905")
LOCK_TAKEN = "tiedolla run on"   # the first line a run prints, once it holds the home


@dataclass
class Run:
    """A `tiedolla run` process and its output lines, each with the moment it was read."""
    name: str
    process: subprocess.Popen
    lines: list[tuple[float, str]] = field(default_factory=list)
    holds_home: threading.Event = field(default_factory=threading.Event)
    ended_at: float = 0.0

    @property
    def output(self) -> str:
        return "".join(line for _, line in self.lines)

    @property
    def code(self) -> int:
        return self.process.returncode

    def first(self, text: str) -> float:
        return next(t for t, line in self.lines if text in line)


@dataclass
class TwoRuns:
    home: Path
    racers: list[Run]
    waiter: Run


def tiedolla(home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TIEDOLLA_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "tiedolla.cli", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=lambda: os.umask(0o022))


def _follow(run: Run) -> None:
    for line in run.process.stdout:
        run.lines.append((time.monotonic(), line))
        if LOCK_TAKEN in line:
            run.holds_home.set()
    run.process.wait()
    run.ended_at = time.monotonic()
    run.holds_home.set()   # also when it refused: nobody waits for a run that has ended


def start(home: Path, name: str, *args: str) -> tuple[Run, threading.Thread]:
    run = Run(name, tiedolla(home, "run", "--verbose", *args))
    thread = threading.Thread(target=_follow, args=(run,), daemon=True)
    thread.start()
    return run, thread


_made: TwoRuns | None = None


def two_runs_at_once(base: Path) -> TwoRuns:
    """The shared home (made on first use, in `base`) and what its three runs did."""
    global _made
    if _made is not None:
        return _made
    home = base / "home"
    sample = tiedolla(home, "sample", *SAMPLE)
    assert sample.wait(timeout=120) == 0, sample.stdout.read()
    first, first_thread = start(home, "first")
    second, second_thread = start(home, "second")
    threads = [first_thread, second_thread]
    deadline = time.monotonic() + 300
    while not any(r.holds_home.is_set() and r.code is None for r in (first, second)):
        assert time.monotonic() < deadline and not (first.ended_at and second.ended_at), \
            f"neither run took the home\n{first.output}\n{second.output}"
        time.sleep(0.05)
    waiter, waiter_thread = start(home, "waiter", "--wait", "600")
    threads.append(waiter_thread)
    for thread in threads:
        thread.join(timeout=600)
    _made = TwoRuns(home, [first, second], waiter)
    return _made
