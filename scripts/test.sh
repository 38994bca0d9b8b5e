#!/usr/bin/env bash
# Set up and run the whole test suite (unit, dbt, Dagster, end-to-end through the command line).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -q "$@"
