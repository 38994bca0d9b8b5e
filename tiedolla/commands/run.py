"""`tiedolla run`: the same Dagster job the UI runs, in-process, on the home's landing folder."""
from __future__ import annotations

import logging
import os
import re
import sys
import time
from datetime import datetime, timezone

from tiedolla.home import Home

EXAMPLE_QUERIES = (
    "select period_start, share_within_7d, share_over_90d from marts.wait_times "
    "where area_code = '17' and service_line = 'primary_care' and professional_group = 'doctor' "
    "order by period_start desc limit 12",
    "select area_code, period_start, coverage, reliability, files_quarantined, rows_rejected "
    "from marts.data_quality where source = 'avohilmo' and reliability <> 'good' order by period_start",
    "select year(period_start) as year, service_line, sum(visits_nonurgent) as visits "
    "from marts.wait_times where area_code = '17' and professional_group = 'all' group by all order by all",
)


def run_command(args) -> int:
    home = Home.at(args.home).ensure()
    os.environ["TIEDOLLA_HOME"] = str(home.root)
    from orchestration.run_lock import LOCK_HELD_ENV, RunLock, RunLockBusy

    lock = RunLock(home)
    try:
        try:
            lock.acquire()
        except RunLockBusy:
            if not args.wait:
                raise
            waiting_since = time.monotonic()
            print(f"tiedolla run: another run is writing {home.root}; waiting up to {args.wait:g} s for it "
                  "to finish", file=sys.stderr, flush=True)
            _load_definitions(home)   # meanwhile, so this run starts as soon as the other ends
            lock.acquire(wait_seconds=max(0.0, args.wait - (time.monotonic() - waiting_since)))
    except RunLockBusy as busy:
        print(f"tiedolla run: {busy}", file=sys.stderr)
        return 3
    os.environ[LOCK_HELD_ENV] = str(os.getpid())
    try:
        return _run_locked(home, args.as_of, getattr(args, "verbose", False))
    finally:
        os.environ.pop(LOCK_HELD_ENV, None)
        lock.release()


def _run_locked(home: Home, as_of: str | None, verbose: bool = False) -> int:
    started = time.monotonic()
    print(f"tiedolla run on {home.root}" + (f" (as of {as_of})" if as_of else ""), flush=True)
    from publish.unchanged import current_publication, landing_snapshot, record_clean_run, repair_published

    if repaired := repair_published(home, as_of):   # a damaged published file: republished or removed
        print(repaired, flush=True)
    unchanged = current_publication(home, as_of)
    if unchanged is not None:
        print(f"no changes; publication {unchanged} is current: {home.marts_db} (landing/, the load log and "
              f"the code are as the last run left them; checked in {time.monotonic() - started:.1f} s)")
        return 0
    snapshot = landing_snapshot(home)
    from tiedolla.dagster_instance import use_home_instance

    defs = _load_definitions(home)
    from orchestration.run_settings import AS_OF_TAG, RUN_LABEL_TAG

    instance = use_home_instance(home)
    label = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    tags = {RUN_LABEL_TAG: label, "tiedolla/trigger": "command_line"}
    if as_of:
        tags[AS_OF_TAG] = as_of
    logging.getLogger("dagster").setLevel(logging.INFO)
    job = defs.resolve_job_def("tiedolla_run")
    log_path = _log_file(home, label)
    progress = Progress(sys.stdout, verbose, rows_loaded=lambda: _rows_loaded(home, label))
    # Dagster's console logger writes to sys.stderr (its handler is made when the run starts) and dagster-dbt
    # writes dbt's lines to sys.stdout: both go to the log file; --verbose also streams them to the terminal.
    with open(log_path, "a", encoding="utf-8") as log:
        terminal_out, terminal_err = sys.stdout, sys.stderr
        sys.stdout = _LogStream(log, terminal_out if verbose else None, progress.line)
        sys.stderr = _LogStream(log, terminal_err if verbose else None, progress.line)
        try:
            result = job.execute_in_process(
                instance=instance, tags=tags, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout, sys.stderr = terminal_out, terminal_err
    progress.finish()
    elapsed = time.monotonic() - started
    if not result.success:
        print(f"\ntiedolla run FAILED after {elapsed:.0f} s; nothing was published "
              f"(the previous publication, if any, is unchanged). Dagster run id: {result.run_id}",
              file=sys.stderr)
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                print(f"  failing step {event.step_key}: {error.message.strip() if error else 'failed'}",
                      file=sys.stderr)
        print(f"  full log: {log_path}", file=sys.stderr)
        return 1
    record_clean_run(home, as_of, snapshot)
    return _report(home, result, label, elapsed, log_path, progress)


def _rows_loaded(home: Home, label: str) -> dict[str, int]:
    """Rows accepted per source by this run's ingest, from the load log."""
    from ingest.load_log import QUARANTINED, LoadLog

    rows: dict[str, int] = {}
    for entry in LoadLog(home.load_log_dir).entries.values():
        if entry.run_id == label and entry.status != QUARANTINED:
            rows[entry.source] = rows.get(entry.source, 0) + entry.rows_accepted
    return rows


def _log_file(home: Home, label: str):
    """<home>/logs/run-<label>.log; the folder is readable by its owner only (dbt's lines name client files)."""
    folder = home.root / "logs"
    folder.mkdir(exist_ok=True)
    os.chmod(folder, 0o700)
    return folder / f"run-{label}.log"


class _LogStream:
    """A text stream that writes to the log file, to the terminal when verbose, and hands whole lines on."""

    def __init__(self, log, terminal, on_line):
        self._log, self._terminal, self._on_line, self._pending = log, terminal, on_line, ""

    def write(self, text: str) -> int:
        self._log.write(text)
        if self._terminal is not None:
            self._terminal.write(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._on_line(line)
        return len(text)

    def flush(self) -> None:
        self._log.flush()
        if self._terminal is not None:
            self._terminal.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"


_STAGES = (("raw_", "ingest"), ("validated_", "validation"), ("tiedolla_dbt_models", "dbt"),
           ("published_marts", "publish"))
_DAGSTER_LINE = re.compile(r" - dagster - (?P<level>[A-Z]+) - [^ ]+ - [0-9a-f-]+ - (?P<step>[^ ]+) - (?P<msg>.*)$")
_LOADED = re.compile(r"^(?P<source>\w+): (?P<loaded>\d+) file\(s\) loaded, (?P<quarantined>\d+) quarantined")
_WARNED = re.compile(r"^(?P<file>[^ ]+): warning check\(s\) failed: (?P<checks>.*)$")
_DBT_DONE = re.compile(r"Done\. PASS=(?P<pass>\d+) WARN=(?P<warn>\d+) ERROR=(?P<error>\d+) SKIP=(?P<skip>\d+)")
_DBT_FOUND = re.compile(r"Found (?P<models>\d+) models, (?P<tests>\d+) data tests")
_DBT_PROGRESS = re.compile(r"^(?P<n>\d+) of (?P<total>\d+) (?:OK|PASS|ERROR|FAIL|WARN|SKIP)")


class Progress:
    """One line per stage, read from Dagster's and dbt's log lines: rewritten in place on a terminal, one
    plain line per finished stage otherwise (and nothing when --verbose streams the full log)."""

    def __init__(self, out, verbose: bool, rows_loaded=None):
        self.out, self.verbose, self.rows_loaded = out, verbose, rows_loaded
        self.tty = (not verbose) and out.isatty()
        self.stage: str | None = None
        self.text = ""
        self.ingest: dict[str, tuple[int, int]] = {}
        self.rows: dict[str, int] = {}
        self.validated = 0
        self.warnings: dict[str, list[str]] = {}
        self.dbt = {"found": "", "done": "", "step": ""}
        self.published = ""

    def line(self, line: str) -> None:
        match = _DAGSTER_LINE.search(line)
        if match:
            step, msg = match["step"], match["msg"]
            stage = next((name for prefix, name in _STAGES if step.startswith(prefix)), None)
            if stage is None:
                return
            self._enter(stage)
            loaded, warned = _LOADED.match(msg), _WARNED.match(msg)
            if loaded:
                self.ingest[loaded["source"]] = (int(loaded["loaded"]), int(loaded["quarantined"]))
            elif warned:
                for check in warned["checks"].split(", "):
                    self.warnings.setdefault(check.strip(), []).append(warned["file"])
            elif stage == "validation" and "validated" in msg:
                self.validated += 1
            elif stage == "publish" and msg.startswith("published publication"):
                self.published = msg.split(" (")[0]
            self._show()
            return
        for pattern, key in ((_DBT_FOUND, "found"), (_DBT_DONE, "done")):
            found = pattern.search(line)
            if found:
                self.dbt[key] = found.group(0)
        step = _DBT_PROGRESS.match(line.strip())
        if step:
            self.dbt["step"] = f"{step['n']} of {step['total']}"
            if self.tty:
                self._show()

    def _describe(self, stage: str, final: bool = False) -> str:
        if stage == "ingest":
            rows = self.rows_loaded() if final and self.rows_loaded else {}
            parts = [f"{source} {loaded} file(s)" + (f" {rows[source]:,} rows" if source in rows else "")
                     + (f" ({quarantined} quarantined)" if quarantined else "")
                     for source, (loaded, quarantined) in sorted(self.ingest.items())]
            return "ingest: " + (", ".join(parts) or "nothing new")
        if stage == "validation":
            count = sum(len(files) for files in self.warnings.values())
            return f"validation: {self.validated} source(s) validated, {count} warning(s)"
        if stage == "dbt":
            if self.dbt["done"]:
                return f"dbt: {self.dbt['found'] or 'build'}; {self.dbt['done']}"
            return f"dbt: building {self.dbt['step']}".rstrip()
        return f"publish: {self.published or 'running'}"

    def _enter(self, stage: str) -> None:
        if stage != self.stage:
            self._end()
            self.stage = stage

    def _show(self) -> None:
        if self.tty and self.stage:
            text = self._describe(self.stage)[:110]
            self.out.write("\r" + text.ljust(len(self.text)))
            self.out.flush()
            self.text = text

    def _end(self) -> None:
        if self.stage is None or self.verbose:
            return
        try:
            text = self._describe(self.stage, final=True)
        except Exception:   # noqa: BLE001 (the progress line must never fail the run)
            text = self._describe(self.stage)
        if self.tty:
            self.out.write("\r" + text[:110].ljust(len(self.text)) + "\n")
        else:
            self.out.write(text + "\n")
        self.out.flush()
        self.text = ""

    def finish(self) -> None:
        self._end()
        self.stage = None


def _load_definitions(home: Home):
    """dbt's manifest and Dagster's definitions: they touch the checkout, never the home, so need no lock."""
    from tiedolla.dbt_manifest import prepare_manifest

    prepare_manifest(home.root)
    from orchestration.definitions import defs
    return defs


def _report(home: Home, result, label: str, elapsed: float, log_path=None, progress=None) -> int:
    from ingest.load_log import QUARANTINED, LoadLog

    publication = None
    for materialization in result.asset_materializations_for_node("published_marts"):
        metadata = materialization.metadata
        publication = (metadata["publication_id"].value, metadata["published"].value)
    entries = [e for e in LoadLog(home.load_log_dir).entries.values() if e.run_id == label]
    quarantined = [e for e in entries if e.status == QUARANTINED]
    print(f"\nfinished in {elapsed:.0f} s" + (f"; full log: {log_path}" if log_path else ""))
    if publication is not None and publication[0]:
        publication_id, published = publication
        if published:
            print(f"published publication {publication_id}: {home.marts_db}")
        else:
            print(f"no changes; publication {publication_id} is current: {home.marts_db}")
    loaded = [e for e in entries if e.status != QUARANTINED]
    if loaded:
        by_source: dict[str, list] = {}
        for entry in loaded:
            by_source.setdefault(entry.source, []).append(entry)
        parts = []
        for source, files in sorted(by_source.items()):
            months = sorted({e.period for e in files if e.period})
            span = (f" {months[0]}" + (f"…{months[-1]}" if len(months) > 1 else "")) if months else ""
            parts.append(f"{source} {len(files)}{span}")
        print("new since the previous publication: " + "; ".join(parts))
    if quarantined:
        print(f"{len(quarantined)} file(s) quarantined in this run (reports in {home.quarantine / label}):")
        if len(quarantined) <= 5:
            for entry in sorted(quarantined, key=lambda e: e.file_name):
                print(f"  {entry.source}/{entry.file_name}: {entry.problem}: {_short(entry.message)}")
        else:
            groups: dict[str, list] = {}
            for entry in sorted(quarantined, key=lambda e: e.file_name):
                groups.setdefault(entry.problem or "other", []).append(entry)
            for problem, files in sorted(groups.items(), key=lambda item: -len(item[1])):
                example = files[0]
                print(f"  {problem}: {len(files)} file(s), e.g. {example.source}/{example.file_name}: "
                      f"{_short(example.message)}")
    warnings = progress.warnings if progress is not None else {}
    if warnings:
        print(f"warnings ({sum(len(f) for f in warnings.values())}; files were loaded):")
        for check, files in sorted(warnings.items(), key=lambda item: -len(item[1]))[:6]:
            print(f"  {check}: {len(files)} file(s), e.g. {files[0]}")
    if publication is None:
        return 0
    publication_id, published = publication
    if not publication_id:
        print(f"no changes; nothing has been delivered to {home.landing} yet (put files in landing/<source>/ "
              "or run `tiedolla sample`)")
        return 0
    print("next: tiedolla status" + _home_arg(home) + "   (coverage, quarantines, indicators off target)")
    print("      tiedolla sql" + _home_arg(home) + f" \"{EXAMPLE_QUERIES[0]}\"")
    return 0


def _short(message: str | None, limit: int = 110) -> str:
    text = (message or "").strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _home_arg(home: Home) -> str:
    from tiedolla.home import DEFAULT_HOME

    return "" if home.root == DEFAULT_HOME.resolve() else f" --home {home.root}"
