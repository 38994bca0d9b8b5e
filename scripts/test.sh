#!/usr/bin/env bash
# Set up and run the whole test suite (unit, dbt, Dagster, end-to-end through the command line).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_browser.sh
# Two workers, one test file each at a time (module fixtures are built once); the export tests share one
# sample home across their files through a file lock (tests/exports/conftest.py).
exec .venv/bin/python -m pytest -q -n 2 --dist loadfile "$@"
