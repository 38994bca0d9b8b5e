"""marts → published: copy, check and atomically rename; only when something changed."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.resources import HomeResource
from orchestration.run_settings import as_of
from publish.fingerprint import fingerprint, git_revision, live_files, nothing_delivered
from publish.history import latest
from publish.publisher import publish

PUBLISHED_FROM = ["dim_area", "wait_times", "wait_times_yearly", "data_quality", "contact_channels",
                  "wait_time_benchmarks", "indicator_catalog", "director_indicators", "segment_summary",
                  "intervention_effects", "category_labels", "column_catalog"]


@asset(group_name="published", deps=[AssetKey(name) for name in PUBLISHED_FROM],
       description="<home>/warehouse/marts.duckdb: the allow-listed marts as tables, checked (no client-level "
                   "column, suppression holds), swapped in with an atomic rename; a row in `publication`.")
def published_marts(context: AssetExecutionContext, home: HomeResource) -> MaterializeResult:
    folder = home.home()
    run_as_of = as_of(context)
    print_ = context.log.info
    new_fingerprint = fingerprint(folder, run_as_of)
    previous = latest(folder)
    if previous is None and nothing_delivered(folder):
        print_(f"no changes; nothing has been delivered to {folder.landing} yet, so there is nothing to publish")
        return MaterializeResult(metadata={"publication_id": 0, "published": False})
    if previous and previous["fingerprint"] == new_fingerprint and folder.marts_db.exists():
        print_(f"no changes; publication {previous['publication_id']} is current")
        return MaterializeResult(metadata={"publication_id": previous["publication_id"], "published": False})
    print_(f"publishing: copying the marts into a new file beside {folder.marts_db.name}")
    summary = {"run_id": context.run_id, "as_of_requested": run_as_of}
    publication = publish(folder, new_fingerprint, run_as_of or _as_of_from_build(folder), git_revision(),
                          live_files(folder), summary)
    print_(f"published publication {publication.publication_id} to {folder.marts_db} "
           f"({', '.join(publication.tables)})")
    _write_indicator_pages(folder, context)
    return MaterializeResult(metadata={"publication_id": publication.publication_id, "published": True,
                                       "path": str(folder.marts_db)})


def _write_indicator_pages(home, context: AssetExecutionContext) -> None:
    """The directors' page of the new publication. The marts are published already: a page that fails to
    render is reported, and `tiedolla report` writes it again, but it never undoes the publication."""
    try:
        from report.indicator_page import write_reports

        pages = write_reports(home)
    except Exception as error:  # noqa: BLE001 - a report must not fail a publication that has happened
        context.log.warning(f"the indicator page was not written ({error}); run `tiedolla report`")
        return
    context.log.info(f"indicator page: {pages[0].parent}")


def _as_of_from_build(home) -> str | None:
    """The visit marts' as-of month as the build computed it (latest accepted month)."""
    import duckdb

    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        row = con.execute("select strftime(as_of_period_start, '%Y-%m') from intermediate.int_source_as_of "
                          "where source = 'avohilmo'").fetchone()
        return row[0] if row else None
    finally:
        con.close()
