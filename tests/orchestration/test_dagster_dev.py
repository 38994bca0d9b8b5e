"""README, "The Dagster UI": `dagster dev` serves the code location with its asset graph."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERY = '{"query": "{ assetNodes { assetKey { path } } }"}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dagster_dev_shows_the_asset_graph(home, dbt_manifest):
    from tiedolla.dagster_instance import DAGSTER_YAML
    home.dagster_home.mkdir(exist_ok=True)
    (home.dagster_home / "dagster.yaml").write_text(DAGSTER_YAML)
    port = free_port()
    env = {**os.environ, "TIEDOLLA_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster_home),
           "DAGSTER_DISABLE_TELEMETRY": "1"}
    dagster = Path(sys.executable).with_name("dagster")
    process = subprocess.Popen([str(dagster), "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1",
                                "-p", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, keys = time.monotonic() + 120, None
        while time.monotonic() < deadline and keys is None:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=QUERY.encode(),
                                                 headers={"Content-Type": "application/json"})
                payload = json.loads(urllib.request.urlopen(request, timeout=5).read())
                nodes = payload.get("data", {}).get("assetNodes") or []
                keys = {"/".join(n["assetKey"]["path"]) for n in nodes} or None
            except OSError:
                time.sleep(1)
        assert keys, "dagster dev did not serve the asset graph within 120 s"
        assert {"raw_avohilmo", "validated_avohilmo", "wait_times", "published_marts"} <= keys
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
