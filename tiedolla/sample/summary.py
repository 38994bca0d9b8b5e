"""What a sample run wrote: files per source and which file shows which kind of patchiness."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# Slot-level patchiness.
MISSING_SLOT = "missing_slot"              # no file for an expected slot (listed under its would-be name)
RESUBMISSION = "resubmission_v2"           # a `_v2` replacing the slot's first file (rows removed / changed)
FIRST_VERSION = "superseded_v1"            # the first file of a resubmitted slot
HEADER_ONLY = "header_only"                # a valid delivery of zero rows
# Row-level patchiness inside files that load.
REJECTED_ROWS = "rejected_rows"            # < 2 % of lines break a row rule (bad date, wait < 0, age 130)
DUPLICATE_IDS = "duplicate_ids"            # an id repeated: the later line is the correction
DUPLICATE_KEY = "duplicate_key"            # population: a (kunta, ikaryhma, sukupuoli) twice, later wins
# File formats that must be accepted.
SWEDISH_HEADER = "swedish_header"
WINDOWS_1252 = "windows-1252"
UTF8_BOM = "utf-8-bom"
DELIMITER_COMMA = "delimiter_comma"
DELIMITER_TAB = "delimiter_tab"
EXTRA_COLUMN = "extra_column"              # an unknown column with decimal commas ("0,5")
COLUMN_ORDER = "column_order"              # columns in another order
DATE_D_M_YYYY = "date_d.m.yyyy"
DATE_DD_MM_YYYY = "date_dd.mm.yyyy"
DATE_ISO = "date_yyyy-mm-dd"
CRLF = "crlf"
TRAILING_EMPTY_LINE = "trailing_empty_line"
# Broken files the pipeline must quarantine.
ZERO_BYTES = "zero_bytes"
FIELD_COUNT = "field_count_mismatch"
BAD_DATES = "too_many_bad_dates"
MISSING_COLUMN = "missing_required_column"
BAD_FILE_NAME = "bad_file_name"
# Timestamp formats of the contacts extract (one per file).
TIMESTAMP_D_M_YYYY_HH_MM = "timestamp_d.m.yyyy_hh:mm"
TIMESTAMP_D_M_YYYY_HH_MM_SS = "timestamp_d.m.yyyy_hh:mm:ss"
TIMESTAMP_ISO_T = "timestamp_yyyy-mm-ddThh:mm:ss"
TIMESTAMP_ISO_SPACE = "timestamp_yyyy-mm-dd_hh:mm:ss"
# Sotkanet downloads.
LATER_DOWNLOAD = "later_download"          # a later download of an indicator: replaces its years' rows
DOTTED_HEADER = "dotted_header"            # `primary.value;absolute.value` (the file went through R or Excel)
JSON_ROWS = "json_rows"                    # data rows as the REST API's JSON
MISSING_ABS_VALUE = "missing_abs_value"    # JSON rows without `absValue`
OLD_REGION_ID = "old_region_id"            # rows under the welfare area's id before Sotkanet's renumbering
# RAI, interventions, outcomes.
DECIMAL_COMMA = "decimal_comma"            # outcome values written `3,25`
STATUS_UPDATE = "status_update"            # an enrolment month's `_v2`: ongoing enrolments since completed
WINDOW_EDGE = "window_edge"                # outcomes exactly on a baseline / follow-up window's edge

QUARANTINE_KINDS = frozenset({ZERO_BYTES, FIELD_COUNT, BAD_DATES, MISSING_COLUMN, BAD_FILE_NAME})
FORMAT_KINDS = (SWEDISH_HEADER, WINDOWS_1252, UTF8_BOM, DELIMITER_COMMA, DELIMITER_TAB, EXTRA_COLUMN,
                COLUMN_ORDER, DATE_D_M_YYYY, DATE_DD_MM_YYYY, DATE_ISO, CRLF, TRAILING_EMPTY_LINE)
TIMESTAMP_KINDS = (TIMESTAMP_D_M_YYYY_HH_MM, TIMESTAMP_D_M_YYYY_HH_MM_SS, TIMESTAMP_ISO_T,
                   TIMESTAMP_ISO_SPACE)


@dataclass
class SampleSummary:
    """Files are named `<source>/<file name>` relative to the landing folder."""
    landing: Path
    files: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))       # data lines written
    patchiness: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def wrote(self, source: str, name: str, lines: int, kinds: list[str] | tuple[str, ...] = ()) -> None:
        self.files[source].append(name)
        self.rows[source] += lines
        for kind in kinds:
            self.mark(kind, f"{source}/{name}")

    def mark(self, kind: str, file: str) -> None:
        if file not in self.patchiness[kind]:
            self.patchiness[kind].append(file)

    def files_with(self, kind: str) -> list[str]:
        return list(self.patchiness.get(kind, []))

    def kinds_of(self, file: str) -> list[str]:
        """The patchiness kinds of one file (`<source>/<name>`)."""
        return sorted(kind for kind, files in self.patchiness.items() if file in files)

    def expected_quarantined(self) -> list[str]:
        return sorted({f for kind in QUARANTINE_KINDS for f in self.patchiness.get(kind, [])})
