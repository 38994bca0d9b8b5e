"""File-level problems: each one quarantines the file and says why, where and what to do."""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class LineProblem:
    line: int
    column: str | None
    problem: str
    value: str | None = None   # never a value of an identifying column


@dataclass
class FileProblem(Exception):
    code: str                  # machine-readable, also the check name of the quarantine
    message: str               # what is wrong and what to do, for a person
    lines: list[LineProblem] = field(default_factory=list)
    lines_total: int = 0       # how many lines had the problem (the report lists up to 10)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


MAX_LINES_IN_REPORT = 10
# A library's error text may quote what it failed on, e.g. a client id; reports and logs must not.
_QUOTED = re.compile(r"""'[^']*'|"[^"]*"|(?i:original line|line content).*""")


def as_file_problem(error: Exception) -> FileProblem:
    """Any error while reading a file as a quarantine: bad input never crashes a run, nor leaks a row's value."""
    if isinstance(error, FileProblem):
        return error
    first_line = (str(error).splitlines() or [""])[0]
    detail = _QUOTED.sub("…", first_line)[:300]
    return FileProblem("unreadable_file", f"the file could not be read as a CSV of this source "
                       f"({type(error).__name__}: {detail}); check the export and deliver it again.")
