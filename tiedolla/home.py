"""The home folder: one place for everything a run reads and writes (pipeline.md)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = PROJECT_ROOT / "data"

# Folders that hold client-level data: created readable by their owner only. warehouse/ holds the published
# marts too, so it stays readable; build.duckdb inside it is made owner-only by the run (see PRIVATE_FILE_MODE).
PRIVATE_DIRS = ("landing", "raw", "quarantine", ".dagster")
PRIVATE_FILE_MODE = 0o600
# What directors open: the published marts file and the folder that holds it.
PUBLISHED_FILE_MODE = 0o644
PUBLISHED_DIR_MODE = 0o755


@contextmanager
def private_files() -> Iterator[None]:
    """Files and folders created inside are readable by their owner only, whatever the caller's umask.

    For the stages that write client-level rows (ingest, validation, dbt and the processes they start): the
    files exist with their final mode from the first byte, so no other user can catch one half-written."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


class HomeError(Exception):
    """The home cannot be used: it is a file, cannot be created or is not writable. One line, for exit 2."""


def _writable(folder: Path) -> bool:
    """Whether this process may create entries in `folder`. os.access asks the kernel with the effective ids:
    it says no for a read-only file system even to root, whom permission bits do not stop."""
    return os.access(folder, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids)


def _missing_ancestor_problem(root: Path) -> str | None:
    """Why `root` (which does not exist) cannot be created, judged before anything is created."""
    parent = root.parent
    while not parent.exists() and not parent.is_symlink() and parent != parent.parent:
        parent = parent.parent
    if parent.is_symlink() and not parent.exists():
        return f"{parent} is a broken link"
    if not parent.is_dir():
        return f"{parent} is a file, not a folder"
    if not _writable(parent):
        return f"no permission to create a folder in {parent}"
    return None


def check_home(root: Path, create: bool) -> None:
    """Raise HomeError when `root` cannot serve as a home that this command writes to.

    `create`: the command creates a missing home (`run`, `sample`); otherwise a missing home is left to the
    command (it has no publication yet). Nothing is created here."""
    if root.exists() or root.is_symlink():
        if not root.is_dir():
            kind = "a file, not a folder" if root.is_file() else (
                "a broken link, not a folder" if not root.exists() else "not a folder")
            raise HomeError(f"the home {root} is {kind}")
        if not _writable(root):
            raise HomeError(f"the home {root} is not writable")
        return
    if create:
        problem = _missing_ancestor_problem(root)
        if problem:
            raise HomeError(f"the home {root} cannot be created: {problem}")


def resolve_home(home: str | os.PathLike | None = None) -> Path:
    """`--home`, else `TIEDOLLA_HOME`, else `data/` in the checkout; always absolute."""
    chosen = home or os.environ.get("TIEDOLLA_HOME") or DEFAULT_HOME
    return Path(chosen).expanduser().resolve()


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def at(cls, home: str | os.PathLike | None = None) -> "Home":
        return cls(resolve_home(home))

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def load_log_dir(self) -> Path:
        return self.raw / "_load_log"

    @property
    def rejects_dir(self) -> Path:
        return self.raw / "_rejects"

    @property
    def checks_dir(self) -> Path:
        return self.raw / "_checks"

    @property
    def meta_dir(self) -> Path:
        """Consolidated snapshots of the load log, rejects and check results: dbt's sources."""
        return self.raw / "_meta"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def build_db(self) -> Path:
        return self.warehouse / "build.duckdb"

    @property
    def marts_db(self) -> Path:
        return self.warehouse / "marts.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / ".dagster"

    @property
    def lock_file(self) -> Path:
        return self.root / ".run.lock"

    def source_landing(self, source: str) -> Path:
        return self.landing / source

    def source_raw(self, source: str) -> Path:
        return self.raw / source

    def ensure(self) -> "Home":
        """Create the folder layout; private folders get mode 0700, warehouse/ stays readable.

        HomeError (one line) when the home is a file, cannot be created or is not writable, or one of its
        folders is a file: checked before anything is created."""
        check_home(self.root, create=True)
        layout = [*(self.root / name for name in PRIVATE_DIRS), self.warehouse, self.raw, self.load_log_dir,
                  self.rejects_dir, self.checks_dir, self.meta_dir]
        for path in layout:
            if (path.exists() or path.is_symlink()) and not path.is_dir():
                raise HomeError(f"the home {self.root} is damaged: {path} is not a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for name in PRIVATE_DIRS:
                path = self.root / name
                path.mkdir(exist_ok=True)
                os.chmod(path, 0o700)
            try:
                self.warehouse.mkdir()
                os.chmod(self.warehouse, PUBLISHED_DIR_MODE)
            except FileExistsError:
                pass
            for path in (self.load_log_dir, self.rejects_dir, self.checks_dir, self.meta_dir):
                path.mkdir(exist_ok=True)
                os.chmod(path, 0o700)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            if self.root.is_dir():
                raise HomeError(f"the home {self.root} is not writable ({where}{error.strerror or error})") from None
            raise HomeError(f"the home {self.root} cannot be created: {where}{error.strerror or error}") from None
        return self
