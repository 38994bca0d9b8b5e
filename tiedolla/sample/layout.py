"""Which municipalities and months a sample covers, and the seeded random streams the generators draw from."""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from tiedolla.reference import municipalities as reference_municipalities

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def rng_for(seed: int, *parts: str | int) -> np.random.Generator:
    """An independent random stream per purpose, so changing one generator never shifts another's draws."""
    return np.random.default_rng([seed, *(zlib.crc32(str(part).encode()) for part in parts)])


def month_range(first: str, last: str) -> tuple[str, ...]:
    """'2019-01', '2019-03' → ('2019-01', '2019-02', '2019-03')."""
    for month in (first, last):
        if not MONTH.fullmatch(month):
            raise ValueError(f"month {month!r} is not of the form YYYY-MM")
    if last < first:
        raise ValueError(f"months run backwards: {first} … {last}")
    start = np.datetime64(first, "M")
    count = int((np.datetime64(last, "M") - start).astype(int)) + 1
    return tuple(str(start + i) for i in range(count))


@dataclass(frozen=True)
class Layout:
    """The selected municipalities (reference rows) and months; a slot is one expected municipality-month."""
    municipalities: tuple[dict[str, str], ...]
    months: tuple[str, ...]

    @classmethod
    def build(cls, months: tuple[str, str], codes: list[str] | None) -> "Layout":
        every = reference_municipalities()
        known = {row["code"]: row for row in every}
        if codes is None:
            chosen = every
        else:
            unknown = [str(code) for code in codes if str(code) not in known]
            if unknown:
                raise ValueError(f"unknown municipality code(s) {', '.join(unknown)}; "
                                 f"known: {', '.join(sorted(known))}")
            chosen = tuple(known[code] for code in sorted({str(code) for code in codes}))
        return cls(tuple(chosen), month_range(*months))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(row["code"] for row in self.municipalities)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({int(month[:4]) for month in self.months}))

    def expected(self, code: str, month: str) -> bool:
        """Kronoby's health care was bought from Soite until 2022: its deliveries start later."""
        row = next(r for r in self.municipalities if r["code"] == code)
        return month >= row["deliveries_expected_from"][:7]

    def slots(self) -> list[tuple[str, str]]:
        """(municipality code, month) pairs a delivery is expected for, in code-then-month order."""
        return [(code, month) for code in self.codes for month in self.months if self.expected(code, month)]
