"""prefect.yaml's newsduck-cluster variant for real: `prefect server start`, the cluster's deployments deployed with
NEWSDUCK_WAREHOUSE naming a DuckLake warehouse (its catalog on a real PostgreSQL), TWO process workers on the pool
`newsduck-cluster`, each taking one flow run at a time, and two ingest runs at once into the one lake: both are
Running at the same time, one on each worker, both complete, and every article is stored once."""

from __future__ import annotations

import json
import subprocess
import time

import duckdb
import httpx
import pytest

from flows import local_server as serve_helpers
from warehouse.db import close_writer, open_writer
from warehouse.lake import attach_lake, lake_write_turn, parse_lake_address

from conftest import REPO
from test_concurrent_reads import copies_of_fixture_pages
from test_ducklake import postgres  # noqa: F401  (the fixture)
from test_lake_writers import lake_address
from test_prefect_deploy import PREFECT, prefect, prefect_server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

POOL = "newsduck-cluster"
CLUSTER_DEPLOYMENTS = {"cluster-ingest": "ingest", "cluster-crawl-sources": "crawl-sources",
                       "cluster-crawl-adhoc": "crawl", "cluster-reparse": "reparse"}


def flow_runs(api: str, deployment_id: str) -> list[dict]:
    return httpx.post(f"{api}/flow_runs/filter",
                      json={"flow_runs": {"deployment_id": {"any_": [deployment_id]}}}).json()


def test_two_workers_of_the_cluster_pool_ingest_at_once_into_one_lake(prefect_server, postgres,  # noqa: F811
                                                                      tmp_path):
    env = prefect_server
    api = env["PREFECT_API_URL"]
    lake = lake_address(postgres, tmp_path)
    prefect(env, "work-pool", "create", POOL, "--type", "process")
    deployed = prefect({**env, "NEWSDUCK_WAREHOUSE": lake}, "--no-prompt", "deploy", "--name", "cluster-*")
    assert "ingest/cluster-ingest" in deployed.stdout

    deployments = {d["name"]: d for d in httpx.post(f"{api}/deployments/filter", json={}).json()}
    assert set(deployments) == set(CLUSTER_DEPLOYMENTS)  # the pattern deploys the cluster variant only
    for name in CLUSTER_DEPLOYMENTS:
        assert deployments[name]["work_pool_name"] == POOL
        assert deployments[name]["parameters"]["db_path"] == lake  # every flow of the variant targets the lake
        assert deployments[name].get("schedules", []) == []

    pages = tmp_path / "pages"
    articles = copies_of_fixture_pages(pages, 4)
    folders = sorted(str(f) for f in pages.iterdir())
    first, second = folders[:3], folders[1:]  # copy01 and copy02 are read by both runs

    logs, workers = [], []
    try:
        for name in ("worker-a", "worker-b"):
            log = open(tmp_path / f"{name}.log", "w")
            logs.append(log)
            workers.append(subprocess.Popen(  # INFO: the flow runs' lines say which worker ran which
                [PREFECT, "worker", "start", "--pool", POOL, "--name", name, "--limit", "1"],
                env={**env, "PREFECT_LOGGING_LEVEL": "INFO", "NEWSDUCK_BUSY_TIMEOUT": "300"}, cwd=REPO, stdout=log, stderr=subprocess.STDOUT))
        # The test holds the lake's write turn until both runs are Running at once, each on its worker: their
        # first writes wait for it (NEWSDUCK_BUSY_TIMEOUT is long enough), however slowly each worker starts its run.
        holder = open_writer(lake)  # the lake gets its tables here
        try:
            with lake_write_turn(holder):
                for inputs in (first, second):
                    prefect(env, "deployment", "run", "ingest/cluster-ingest",
                            "--param", f"inputs={json.dumps(inputs)}")
                deadline = time.monotonic() + 200
                while [r["state"]["type"] for r in flow_runs(api, deployments["cluster-ingest"]["id"])] != \
                        ["RUNNING", "RUNNING"]:
                    assert time.monotonic() < deadline, "the two runs were never running at once"
                    time.sleep(0.5)
        finally:
            close_writer(holder)
        deadline = time.monotonic() + 400
        while True:
            runs = flow_runs(api, deployments["cluster-ingest"]["id"])
            if len(runs) == 2 and all(r["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
                                      for r in runs):
                break
            assert time.monotonic() < deadline, [r["state"] for r in runs]
            time.sleep(1)
    finally:
        for worker in workers:
            serve_helpers.stop_process(worker)
        for log in logs:
            log.close()
    worker_log = "".join((tmp_path / f"{name}.log").read_text()[-3000:] for name in ("worker-a", "worker-b"))
    assert [r["state"]["type"] for r in runs] == ["COMPLETED", "COMPLETED"], worker_log

    con = duckdb.connect()
    try:
        attach_lake(con, parse_lake_address(lake), read_only=True)
        lake_runs = con.execute("SELECT flow_run_id, status, started_at, finished_at, inputs FROM lake.runs "
                                "ORDER BY started_at").fetchall()
        stored, distinct = con.execute("SELECT count(*), count(DISTINCT article_id) FROM lake.articles").fetchone()
        load_errors = con.execute("SELECT count(*) FROM lake.errors WHERE stage = 'load'").fetchone()[0]
    finally:
        con.close()
    assert {r[0] for r in lake_runs} == {r["id"] for r in runs}
    assert [r[1] for r in lake_runs] == ["completed", "completed"]
    (*_, inputs_a), (*_, inputs_b) = lake_runs
    per_folder = len(list((pages / "copy00").iterdir()))
    assert inputs_a + inputs_b == 6 * per_folder
    assert stored == distinct == articles  # every article once, the two copies both read included
    assert load_errors == 0
    # the two workers each ran one of the runs (a worker may also try to submit the other's and be refused)
    ran = [{r["id"] for r in runs if f"/runs/flow-run/{r['id']}" in (tmp_path / f"{name}.log").read_text()}
           for name in ("worker-a", "worker-b")]
    assert sorted(map(len, ran)) == [1, 1] and ran[0] != ran[1], worker_log


def test_a_placeholder_left_unfilled_by_prefect_deploy_is_refused_and_makes_no_file(tmp_path, monkeypatch):
    """Deployed without NEWSDUCK_WAREHOUSE set, the cluster's `db_path` stays `{{ $NEWSDUCK_WAREHOUSE }}`: a flow
    says so in one sentence rather than writing a DuckDB file of that name in the project directory."""
    from flows.batches import writer
    from warehouse.errors import WarehouseError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(WarehouseError, match=r"^the deployment's db_path is '\{\{ \$NEWSDUCK_WAREHOUSE \}\}', a "
                                             r"placeholder prefect deploy left unfilled; set NEWSDUCK_WAREHOUSE"):
        with writer("{{ $NEWSDUCK_WAREHOUSE }}"):
            pass
    assert list(tmp_path.iterdir()) == []
