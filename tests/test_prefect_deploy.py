"""The Prefect path for real: `prefect server start`, `prefect deploy` of prefect.yaml's single-machine variant, a
process worker, and a deployment run against a local site whose articles then sit in DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import httpx
import pytest

from flows import local_server as serve_helpers
from flows.static_server import serve_directory

from conftest import FIXTURES, REPO

pytestmark = pytest.mark.slow

PREFECT = str(Path(sys.executable).parent / "prefect")
SINGLE_MACHINE = ("ingest-paths", "crawl-sources", "crawl-adhoc", "reparse")


def wait_until_healthy(api_url: str, server: subprocess.Popen) -> None:
    try:
        serve_helpers.wait_until_healthy(api_url, server, timeout=90.0)
    except RuntimeError as exc:
        raise AssertionError(str(exc)) from None


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-home")
    port = serve_helpers.free_port()
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(port),
               PREFECT_UI_ENABLED="false", PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
               PREFECT_WORKER_QUERY_SECONDS="1", PREFECT_RUNNER_POLL_FREQUENCY="1",
               PREFECT_LOGGING_LEVEL="WARNING", NEWSDUCK_PROJECT_DIR=str(REPO))
    log = open(home / "server.log", "w")
    server = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(env["PREFECT_API_URL"], server)
        yield env
    finally:
        serve_helpers.stop_process(server)
        log.close()


def prefect(env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    result = subprocess.run([PREFECT, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"prefect {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def test_deploy_the_single_machine_variant_and_run_with_a_worker(prefect_server, tmp_path):
    env = prefect_server
    prefect(env, "work-pool", "create", "newsduck", "--type", "process")
    # as README.md deploys them: the pool `newsduck`'s deployments (the cluster's: tests/test_prefect_cluster.py)
    deployed = prefect(env, "--no-prompt", "deploy", *(f"--name={name}" for name in SINGLE_MACHINE))
    assert "ingest/ingest-paths" in deployed.stdout and "crawl-sources/crawl-sources" in deployed.stdout

    scheduled = httpx.post(f"{env['PREFECT_API_URL']}/deployments/filter", json={}).json()
    assert {d["name"]: d["work_pool_name"] for d in scheduled} == {name: "newsduck" for name in SINGLE_MACHINE}
    schedules = {d["name"]: [s["schedule"].get("cron") for s in d.get("schedules", [])] for d in scheduled}
    # the one scheduled deployment crawls whatever sources.toml holds: no source name, no demo pages in it
    assert {name: crons for name, crons in schedules.items() if crons} == {"crawl-sources": ["0 */2 * * *"]}
    parameters = {d["name"]: d["parameters"] for d in scheduled}
    assert "source" not in parameters["crawl-sources"]
    assert not any("examples" in json.dumps(p) for p in parameters.values())

    worker_log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([PREFECT, "worker", "start", "--pool", "newsduck"], env=env, cwd=REPO,
                              stdout=worker_log, stderr=subprocess.STDOUT)
    db = tmp_path / "deployed.duckdb"
    crawled = tmp_path / "crawled.duckdb"
    site = FIXTURES / "site"
    gold = json.loads((site / "site-gold.json").read_text(encoding="utf-8"))
    try:
        with serve_directory(str(site)) as server:
            urls = [server.base_url + u for u in gold["expected_article_urls"][:3]]
            prefect(env, "deployment", "run", "ingest/ingest-paths",
                    "--param", f"inputs={json.dumps(urls)}", "--param", f"db_path={json.dumps(str(db))}",
                    "--watch", "--watch-timeout", "150", timeout=200)
            source = {"name": "fixture-site", "start_urls": [{"url": server.base_url + "/list/index.html", "kind": "list"}],
                      "include": ["/content/*/content_*.html"], "max_pages": 5}
            prefect(env, "deployment", "run", "crawl/crawl-adhoc",
                    "--param", f"source={json.dumps(source)}", "--param", f"db_path={json.dumps(str(crawled))}",
                    "--param", "max_crawl_delay=0.05", "--watch", "--watch-timeout", "150", timeout=200)
    finally:
        serve_helpers.stop_process(worker)
        worker_log.close()

    con = duckdb.connect(str(db), read_only=True)
    try:
        titles = {t for (t,) in con.execute("SELECT title FROM articles").fetchall()}
        (flow_run_id, status), = con.execute("SELECT flow_run_id, status FROM runs").fetchall()
    finally:
        con.close()
    expected = {a["title"] for a in gold["articles"] if a["url"] in gold["expected_article_urls"][:3]}
    assert titles == expected
    assert status == "completed"
    run = httpx.get(f"{env['PREFECT_API_URL']}/flow_runs/{flow_run_id}").json()
    assert run["state"]["type"] == "COMPLETED"
    assert run["deployment_id"] is not None

    con = duckdb.connect(str(crawled), read_only=True)
    try:
        crawled_titles = {t for (t,) in con.execute("SELECT title FROM articles").fetchall()}
        (fetched, status), = con.execute("SELECT fetched, status FROM runs").fetchall()
    finally:
        con.close()
    # max_pages 5 = five article fetches; the list's third item is a 404 in the fixture site
    assert len(crawled_titles) >= 4 and crawled_titles <= {a["title"] for a in gold["articles"]}
    assert status == "completed" and fetched >= 5
