"""Hand-made delivery files for tests: rows in, a CSV in any of the accepted variants out."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

FINNISH = ["kaynti_id", "asiakas_tunniste", "kotikunta", "ika", "yksikko", "palvelumuoto", "ammatti",
           "yhteystapa", "kiireellisyys", "yhteydenotto_pvm", "hoidon_tarve_pvm", "kaynti_pvm"]
SWEDISH = {"kaynti_id": "besok_id", "asiakas_tunniste": "klient_id", "kotikunta": "hemkommun", "ika": "alder",
           "yksikko": "enhet", "palvelumuoto": "serviceform", "ammatti": "yrke", "yhteystapa": "kontaktsatt",
           "kiireellisyys": "bradskande", "yhteydenotto_pvm": "kontakt_datum",
           "hoidon_tarve_pvm": "vardbehov_datum", "kaynti_pvm": "besok_datum"}
DATE_COLUMNS = {"yhteydenotto_pvm", "hoidon_tarve_pvm", "kaynti_pvm"}


def visit(visit_id, client="c1", visit_date="2019-03-12", assessed="2019-03-02", *, age=45, service="T11",
          occupation="2211", contact="R10", urgency="2", home="905", unit="Vaasan terveysasema") -> dict:
    """One visit row with sensible defaults (a non-urgent doctor visit, 10 days after the assessment)."""
    return {"kaynti_id": str(visit_id), "asiakas_tunniste": client, "kotikunta": home, "ika": age, "yksikko": unit,
            "palvelumuoto": service, "ammatti": occupation, "yhteystapa": contact, "kiireellisyys": urgency,
            "yhteydenotto_pvm": None, "hoidon_tarve_pvm": assessed, "kaynti_pvm": visit_date}


def _format_date(value, style: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-":
        return str(value)  # deliberately broken values pass through
    d = date.fromisoformat(value)
    if style == "iso":
        return d.isoformat()
    if style == "dotted":
        return f"{d.day}.{d.month}.{d.year}"
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


@dataclass
class VisitFile:
    rows: list[dict]
    encoding: str = "utf-8"          # utf-8 | utf-8-sig | cp1252
    delimiter: str = ";"
    language: str = "fi"             # fi | sv
    date_style: str = "dotted"       # dotted (d.m.yyyy) | padded (dd.mm.yyyy) | iso
    line_ending: str = "\n"
    columns: list[str] = field(default_factory=lambda: list(FINNISH))
    extra_columns: dict[str, str] = field(default_factory=dict)
    header_case: str = "lower"       # lower | upper
    trailing_blank_line: bool = False

    def text(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator=self.line_ending,
                            quoting=csv.QUOTE_MINIMAL)
        names = [SWEDISH[c] if self.language == "sv" and c in SWEDISH else c for c in self.columns]
        names += list(self.extra_columns)
        writer.writerow([n.upper() if self.header_case == "upper" else n for n in names])
        for row in self.rows:
            values = []
            for column in self.columns:
                value = row.get(column)
                values.append(_format_date(value, self.date_style) if column in DATE_COLUMNS
                              else "" if value is None else str(value))
            values += list(self.extra_columns.values())
            writer.writerow(values)
        if self.trailing_blank_line:
            buffer.write(self.line_ending)
        return buffer.getvalue()

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.text().encode(self.encoding))
        return path


def population_file(path: Path, rows: list[tuple[str, str, str, int]], language: str = "fi",
                    delimiter: str = ";") -> Path:
    header = ["kunta", "ikaryhma", "sukupuoli", "vaesto"] if language == "fi" else \
        ["kommun", "åldersgrupp", "kön", "befolkning"]
    lines = [delimiter.join(header)] + [delimiter.join(str(v) for v in row) for row in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
