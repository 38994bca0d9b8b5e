"""File-format variants of the municipalities' export systems: encoding, delimiter, dates, line endings."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tiedolla.sample import summary as k
from tiedolla.sample.layout import rng_for

BOM = b"\xef\xbb\xbf"
DATE_KINDS = {"%d.%m.%Y": k.DATE_DD_MM_YYYY, "%-d.%-m.%Y": k.DATE_D_M_YYYY, "%Y-%m-%d": k.DATE_ISO}


@dataclass(frozen=True)
class FileFormat:
    encoding: str = "utf-8"          # utf-8 | utf-8-sig | cp1252
    delimiter: str = ";"
    date_format: str = "%d.%m.%Y"    # DuckDB strftime; '%-d' drops the leading zero
    crlf: bool = False
    trailing_empty_line: bool = False
    swedish: bool = False            # Swedish column names
    extra_column: bool = False       # an unknown column with decimal commas
    reordered: bool = False          # columns in another order

    def kinds(self) -> list[str]:
        """The patchiness kinds (summary.py) a file in this format shows."""
        flags = {k.WINDOWS_1252: self.encoding == "cp1252", k.UTF8_BOM: self.encoding == "utf-8-sig",
                 k.DELIMITER_COMMA: self.delimiter == ",", k.DELIMITER_TAB: self.delimiter == "\t",
                 k.CRLF: self.crlf, k.TRAILING_EMPTY_LINE: self.trailing_empty_line,
                 k.SWEDISH_HEADER: self.swedish, k.EXTRA_COLUMN: self.extra_column,
                 k.COLUMN_ORDER: self.reordered, DATE_KINDS[self.date_format]: True}
        return [kind for kind, shown in flags.items() if shown]

    def finish(self, data: bytes) -> bytes:
        """UTF-8 text with '\\n' lines (as written by DuckDB) → this format's line endings and encoding."""
        if self.trailing_empty_line:
            data += b"\n"
        if self.crlf:
            data = data.replace(b"\n", b"\r\n")
        if self.encoding == "cp1252":
            return data.decode("utf-8").encode("cp1252")
        return BOM + data if self.encoding == "utf-8-sig" else data


# Which attribute a kind sets, so forcing two kinds of one dimension onto the same file is avoided.
FORCING = {
    k.WINDOWS_1252: ("encoding", "cp1252"), k.UTF8_BOM: ("encoding", "utf-8-sig"),
    k.DELIMITER_COMMA: ("delimiter", ","), k.DELIMITER_TAB: ("delimiter", "\t"),
    k.DATE_D_M_YYYY: ("date_format", "%-d.%-m.%Y"), k.DATE_DD_MM_YYYY: ("date_format", "%d.%m.%Y"),
    k.DATE_ISO: ("date_format", "%Y-%m-%d"), k.CRLF: ("crlf", True),
    k.TRAILING_EMPTY_LINE: ("trailing_empty_line", True), k.SWEDISH_HEADER: ("swedish", True),
    k.EXTRA_COLUMN: ("extra_column", True), k.COLUMN_ORDER: ("reordered", True),
}


def forced(fmt: FileFormat, kind: str) -> FileFormat:
    attribute, value = FORCING[kind]
    return replace(fmt, **{attribute: value})


# The region's joint system (from when it organised a municipality's services): one export for all.
REGION_SYSTEM = FileFormat(encoding="utf-8", delimiter=";", date_format="%d.%m.%Y", crlf=False)


def municipal_system(code: str, swedish: bool, seed: int) -> FileFormat:
    """The export of a municipality's own patient system: fixed per municipality, drawn once from the seed."""
    rng = rng_for(seed, "system", code)

    def pick(options: dict) -> object:
        keys = list(options)
        return keys[rng.choice(len(keys), p=np.array(list(options.values())) / sum(options.values()))]

    return FileFormat(
        encoding=pick({"utf-8": .5, "utf-8-sig": .2, "cp1252": .3}),
        delimiter=pick({";": .7, ",": .2, "\t": .1}),
        date_format=pick({"%d.%m.%Y": .45, "%Y-%m-%d": .35, "%-d.%-m.%Y": .2}),
        crlf=bool(rng.random() < .5), trailing_empty_line=bool(rng.random() < .3), swedish=swedish,
        extra_column=bool(rng.random() < .25), reordered=bool(rng.random() < .2))


def system_format(row: dict[str, str], month: str, seed: int) -> FileFormat:
    """A municipality-month's format: its own system until the region organised its services, then the
    region's."""
    swedish = row["language_status"] == "sv_fi"
    if month >= row["organised_by_region_from"][:7]:
        return replace(REGION_SYSTEM, swedish=swedish)
    return municipal_system(row["code"], swedish, seed)
