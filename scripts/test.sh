#!/usr/bin/env bash
# Set up and run the whole test suite (unit, dbt, Dagster, end-to-end through the command line).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_browser.sh
exec .venv/bin/python -m pytest -q "$@"
