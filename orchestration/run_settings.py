"""Per-run settings carried as run tags, so the UI, the schedule and the command line set them the same way."""
from __future__ import annotations

AS_OF_TAG = "tiedolla/as_of"
RUN_LABEL_TAG = "tiedolla/run_label"


def as_of(context) -> str | None:
    return context.run.tags.get(AS_OF_TAG) or None


def run_label(context) -> str:
    """Names the run's quarantine folder: readable time plus the Dagster run id's start."""
    return context.run.tags.get(RUN_LABEL_TAG) or context.run_id[:8]
