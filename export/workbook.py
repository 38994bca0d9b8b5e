"""The evaluators' workbook: one sheet per table, headers in row 1, number formats, footnotes, charts."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from export.presentation import SUPPRESSED, Presented

NUMBER_FORMATS = {"share": "0.0 %", "number": "0.00", "integer": "0", "year": "0", "date": "yyyy-mm-dd"}
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
INVALID_SHEET_CHARACTERS = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_title(name: str) -> str:
    return name.translate(INVALID_SHEET_CHARACTERS)[:31]


def write_workbook(path: Path, tables: list[Presented], footnotes: dict[str, list[str]],
                   charts: list[tuple[str, Path]], charts_sheet: str) -> Path:
    """`footnotes` per table name; `charts` as (caption, PNG) pairs placed on one sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        _write_table(workbook.create_sheet(sheet_title(table.sheet_name)), table, footnotes.get(table.name, []))
    if charts:
        _write_charts(workbook.create_sheet(sheet_title(charts_sheet)), charts)
    workbook.save(path)
    return path


def _write_table(sheet, table: Presented, footnotes: list[str]) -> None:
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(table.rows, start=2):
        for column, (value, kind) in enumerate(zip(row, table.kinds), start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"                  # text is never a formula, whatever it starts with
                if value == SUPPRESSED:
                    cell.alignment = Alignment(horizontal="right")
            elif value is not None and kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
    last_row = len(table.rows) + 1
    for offset, note in enumerate(footnotes, start=2):
        sheet.cell(row=last_row + offset, column=1, value=note).data_type = "s"
    _print_setup(sheet)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{last_row}"
    for column, header in enumerate(table.headers, start=1):
        longest = max([len(str(r[column - 1])) for r in table.rows[:200] if r[column - 1] is not None] + [8])
        sheet.column_dimensions[get_column_letter(column)].width = min(max(longest, len(header) * 0.6) + 2, 60)
    sheet.row_dimensions[1].height = 45


def _print_setup(sheet) -> None:
    """Printed or rendered to PDF: A4 landscape, all columns on one page width, the header on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"


def _write_charts(sheet, charts: list[tuple[str, Path]]) -> None:
    row = 1
    for caption, png in charts:
        sheet.cell(row=row, column=1, value=caption).font = Font(bold=True)
        image = Image(str(png))
        scale = min(1.0, 900 / image.width)
        image.width, image.height = image.width * scale, image.height * scale
        sheet.add_image(image, f"A{row + 1}")
        row += int(image.height / 20) + 4
    _print_setup(sheet)
