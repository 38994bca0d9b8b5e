#!/usr/bin/env bash
# The quick start: set up, write the synthetic sample at the region's real volumes, run, publish.
# Home: $TIEDOLLA_HOME, else data/ in the checkout. SCALE=0.1 for a faster look.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
home="${TIEDOLLA_HOME:-$PWD/data}"
.venv/bin/tiedolla sample --home "$home" --scale "${SCALE:-1}" --seed "${SEED:-1}"
.venv/bin/tiedolla run --home "$home"
.venv/bin/tiedolla status --home "$home"
echo
echo "The published marts: $home/warehouse/marts.duckdb"
.venv/bin/tiedolla sql --home "$home" "select strftime(period_start, '%Y') as year, round(1 - sum(share_within_7d * visits_nonurgent) / sum(visits_nonurgent), 3) as share_over_7d from marts.wait_times where area_code = '17' and service_line = 'primary_care' and professional_group = 'doctor' group by 1 order by 1"
