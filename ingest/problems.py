"""File-level problems: each one quarantines the file and says why, where and what to do."""
from __future__ import annotations

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
