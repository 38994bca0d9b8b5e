"""What directors and analysts open: the indicator page in a real browser, the dbt catalog, the notebook."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from export.labels import Labels
from export.charts import waiting_chart_changes
from export.publication import open_latest
from tests.cli.test_end_to_end import ROOT, tiedolla
from tests.exports.conftest import marts_frame
from tiedolla.home import Home

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("TIEDOLLA_TEST_ARTIFACTS", ROOT / ".test-artifacts"))


def test_publishing_writes_the_indicator_page_in_every_language(exported):
    folder = exported["home"] / "reports" / str(exported["publication_id"])
    assert sorted(p.name for p in folder.glob("*.html")) == ["indicators_en.html", "indicators_fi.html",
                                                             "indicators_sv.html"]
    page = (folder / "indicators_sv.html").read_text(encoding="utf-8")
    for external in ("http://", "https://", "<script", "@import", "url("):
        assert external not in page


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_indicator_page_renders_in_chromium_offline_without_errors(exported, language):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is installed by scripts/setup_browser.sh"
    page_file = exported["home"] / "reports" / str(exported["publication_id"]) / f"indicators_{language}.html"
    catalog = marts_frame(exported["home"], f"select indicator_id, name_{language} as name from indicator_catalog")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems, requests = [], []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_file.as_uri())
        cards = page.locator("section.card")
        assert cards.count() == len(catalog)
        assert set(page.locator("section.card h2").all_inner_texts()) == set(catalog.name)
        assert page.locator("svg.sparkline").count() >= len(catalog) // 2
        statuses = set(page.locator("section.card").evaluate_all("cards => cards.map(c => c.dataset.status)"))
        assert statuses <= {"on_target", "near", "off_target", "no_data", "not_mature"} and len(statuses) > 1
        page.screenshot(path=str(SCREENSHOTS / f"indicators_{language}.png"), full_page=True)
        browser.close()
    assert problems == []
    assert requests == [page_file.as_uri()]          # nothing fetched: fonts, scripts and charts are inline
    assert (SCREENSHOTS / f"indicators_{language}.png").stat().st_size > 10_000


def test_the_charts_mark_both_rule_changes_and_are_written_per_language(exported):
    with open_latest(Home.at(exported["home"])) as marts:
        changes = [f"{d:%Y-%m}" for d in waiting_chart_changes(marts, "primary_care")]
        label = Labels(marts, "sv").text("chart_rule_change")
    assert changes == ["2023-09", "2025-01"]
    assert label == "Vårdgarantin ändrades"
    for language in ("fi", "sv", "en"):
        charts = exported["folder"] / language / "charts"
        assert {p.name for p in charts.glob("*.png")} == {
            "waiting_primary_care.png", "waiting_oral_health.png", "effects.png",
            "waiting_primary_care_municipalities.png", "waiting_oral_health_municipalities.png"}
        assert all(p.stat().st_size > 20_000 for p in charts.glob("*.png"))


def test_docs_build_the_catalog_of_every_published_mart_and_column(exported):
    tiedolla(exported["home"], "docs")
    docs = exported["home"] / "docs"
    assert (docs / "index.html").stat().st_size > 100_000
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    published = marts_frame(exported["home"], "select table_name from information_schema.tables "
                                               "where table_name <> 'publication'").table_name
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for mart in published:
        documented = models[mart]["columns"]
        built = catalog["nodes"][f"model.tiedolla.{mart}"]["columns"]
        assert set(built) <= set(documented), mart         # every built column is documented
        for column in documented.values():
            assert column["description"], (mart, column["name"])
            assert column["meta"].get("label_fi") and column["meta"].get("label_sv"), (mart, column["name"])


def test_the_evaluators_notebook_runs_clean_against_the_publication(exported, monkeypatch):
    notebook = nbformat.read(ROOT / "notebooks" / "evaluator.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    monkeypatch.setenv("TIEDOLLA_HOME", str(exported["home"]))
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "the export's welfare-area rows equal the mart" in printed
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_export_and_report_without_a_publication_say_so(tmp_path):
    for command in ("export", "report"):
        result = tiedolla(tmp_path / "empty", command, check=False)
        assert result.returncode == 1 and "no publication yet" in result.stderr


def test_the_page_says_beside_each_figure_when_it_is_not_mature_or_the_rule_changed(exported):
    """methods.md revision 2: completion shows its latest mature month and says later months are not yet
    mature; a guarantee card whose month compares across a rule change says "rule changed" instead of a
    change; the words come from the publication's labels in each language."""
    home = exported["home"]
    for language, later, rule in (("fi", "eivät ole vielä arvioitavissa", "Hoitotakuusääntö muuttui"),
                                  ("sv", "ännu inte bedömbara", "Vårdgarantins regel ändrades"),
                                  ("en", "not yet mature", "Rule changed")):
        page = (home / "reports" / str(exported["publication_id"]) / f"indicators_{language}.html").read_text(
            encoding="utf-8")
        card = page.split('id="intervention_completion"', 1)[1].split("</section>", 1)[0]
        assert later in card
        latest_immature = marts_frame(home, """
            select max(period_start) as month from director_indicators where indicator_id = 'intervention_completion'
            and area_code = '17' and period_grain = 'month' and status = 'not_mature'""").month.iloc[0]
        assert latest_immature is not None
        shown = marts_frame(home, """
            select series_break from director_indicators where indicator_id = 'wait_pc_within_guarantee'
            and area_code = '17' and period_grain = 'month' and value is not null
            order by period_start desc limit 1""").series_break.iloc[0]
        guarantee = page.split('id="wait_pc_within_guarantee"', 1)[1].split("</section>", 1)[0]
        assert (rule in guarantee) == bool(shown)
