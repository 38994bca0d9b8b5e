#!/usr/bin/env bash
# Sets up .venv (Python 3.11) with the locked dependency set and the project, and prepares dbt's manifest.
# Safe to run again: it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python_bin="$candidate"; break
    fi
  done
fi
if [ -z "$python_bin" ]; then
  echo "setup: Python 3.11 is needed (set PYTHON=/path/to/python3.11)" >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $python_bin"
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.9.30"
echo "setup: installing the locked dependencies (requirements.lock)"
.venv/bin/uv pip install --quiet --python .venv/bin/python -r requirements.lock
.venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
echo "setup: preparing the dbt manifest"
.venv/bin/python -m tiedolla.dbt_manifest >/dev/null
echo "setup: done (.venv/bin/tiedolla --help)"
