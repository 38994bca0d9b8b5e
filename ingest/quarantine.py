"""Quarantine: a copy of the rejected file and a report (JSON and readable text) naming file, lines, problem."""
from __future__ import annotations

import os
import shutil
from dataclasses import asdict
from pathlib import Path

from ingest.atomic import write_json_atomically, write_text_atomically
from ingest.problems import FileProblem
from tiedolla.home import PRIVATE_FILE_MODE


def quarantine_file(landed: Path, quarantine_root: Path, run_id: str, source: str,
                    problem: FileProblem, sha256: str | None) -> Path:
    """Copy `landed` to `quarantine/<run>/<source>/` with `<name>.report.json` and `<name>.report.txt`."""
    folder = quarantine_root / run_id / source
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / landed.name
    shutil.copy2(landed, copy)
    os.chmod(copy, PRIVATE_FILE_MODE)   # copy2 copied the delivered file's mode; the copy is private whatever it was
    report = {
        "file": str(landed),
        "file_name": landed.name,
        "source": source,
        "sha256": sha256,
        "problem": problem.code,
        "message": problem.message,
        "lines_with_problem": problem.lines_total or len(problem.lines),
        "first_lines": [asdict(line) for line in problem.lines],
        "what_to_do": "Fix the export and land the file again (as a new _vN or under the same name); "
                      "the previous accepted version, if any, stays live meanwhile.",
    }
    json_path = folder / f"{landed.name}.report.json"
    write_json_atomically(json_path, report)
    write_text_atomically(folder / f"{landed.name}.report.txt", render_report(report))
    return json_path


def render_report(report: dict) -> str:
    lines = [
        f"QUARANTINED: {report['file']}",
        f"source: {report['source']}",
        f"problem: {report['problem']}",
        f"{report['message']}",
    ]
    if report["first_lines"]:
        lines.append(f"lines with the problem: {report['lines_with_problem']} (first {len(report['first_lines'])}):")
        for item in report["first_lines"]:
            where = f"line {item['line']}" + (f", column {item['column']}" if item["column"] else "")
            value = f" (value {item['value']!r})" if item.get("value") is not None else ""
            lines.append(f"  {where}: {item['problem']}{value}")
    lines.append(report["what_to_do"])
    return "\n".join(lines) + "\n"
