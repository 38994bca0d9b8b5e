"""File names → source, municipality, period and version (`<source>_<kunta>_<YYYY-MM>[_vN].csv`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from ingest.sources import SourceSpec
from tiedolla.reference import municipality_codes


@dataclass(frozen=True)
class DeliveryName:
    source: str
    municipality: str | None   # None when rows carry their own municipality (population)
    period: str                # 'YYYY-MM' or 'YYYY' (a download date for Sotkanet)
    version: int
    subject: str | None = None  # what else the name keys the slot by (Sotkanet's indicator id)

    @property
    def slot(self) -> tuple[str, str | None, str]:
        return (self.source, self.municipality, self.period, self.subject)


class BadFileName(ValueError):
    """The name does not follow the source's pattern: the file is quarantined."""
    code = "bad_file_name"


class PeriodInFuture(BadFileName):
    """The name's period has not begun: loading it would move the as-of month past every other delivery."""
    code = "period_in_future"


def parse_delivery_name(file_name: str, spec: SourceSpec) -> DeliveryName:
    match = re.fullmatch(spec.file_pattern, file_name)
    if not match:
        raise BadFileName(
            f"file name {file_name!r} does not follow the pattern of {spec.name} files "
            f"({_human_pattern(spec)})")
    parts = match.groupdict()
    period = parts["period"]
    if spec.period_grain == "month" and not 1 <= int(period[5:7]) <= 12:
        raise BadFileName(f"file name {file_name!r} names month {period[5:7]}, which does not exist")
    if spec.period_grain == "download":
        try:
            date.fromisoformat(period)
        except ValueError:
            raise BadFileName(f"file name {file_name!r} names download date {period}, which does not exist")
    today = datetime.now(timezone.utc).date().isoformat()
    if period > today[:len(period)]:
        raise PeriodInFuture(
            f"file name {file_name!r} names period {period}, which has not begun (today is {today}); a file of a "
            "future period would move the as-of month past every other delivery. Check the name and the dates "
            "in the rows and deliver it again.")
    municipality = parts.get("municipality")
    if municipality is not None and municipality not in municipality_codes():
        raise BadFileName(
            f"file name {file_name!r} names municipality {municipality}, which is not one of the region's "
            "municipalities (municipalities.csv)")
    version = int(parts.get("version") or 1)
    if version < 1:
        raise BadFileName(f"file name {file_name!r} has version {version}; versions start at _v2")
    return DeliveryName(spec.name, municipality, period, version, parts.get("indicator"))


def _human_pattern(spec: SourceSpec) -> str:
    if spec.name == "population":
        return "vaesto_<YYYY>[_vN].csv"
    return f"{spec.name}_<kunta>_<YYYY-MM>[_vN].csv"
