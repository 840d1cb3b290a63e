"""`newsduck ingest --workers N` and `--dask-address`: batches read and extracted on Dask (prefect-dask), loaded by
the command's own process. The command runs as a user runs it, in a process of its own."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bench.scale import write_demo_warc
from flows.cli import main
from flows.dask_runner import HeartbeatWhileClosing, dask_task_runner

from conftest import REPO

RECORDS = 60


def newsduck(*argv: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "flows.cli", *argv, "--json", "--quiet"], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def articles(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT article_id, url, title, body_text FROM articles ORDER BY article_id").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return write_demo_warc(tmp_path_factory.mktemp("dask") / "news.warc.gz", RECORDS)


@pytest.fixture(scope="module")
def loaded_in_process(archive, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("plain") / "news.duckdb"
    summary = newsduck("ingest", str(archive), "--db", str(db), "--batch-size", "20")
    assert summary["new"] == RECORDS
    return db


def test_ingest_on_a_local_dask_cluster_of_two_processes_stores_what_one_process_stores(archive, loaded_in_process,
                                                                                          tmp_path):
    db = tmp_path / "news.duckdb"
    summary = newsduck("ingest", str(archive), "--db", str(db), "--workers", "2", "--batch-size", "20")
    assert (summary["status"], summary["inputs"], summary["new"], summary["errors"]) == ("completed", RECORDS,
                                                                                         RECORDS, 0)
    assert articles(db) == articles(loaded_in_process)


def test_ingest_on_a_dask_scheduler_runs_the_batches_on_its_workers(archive, loaded_in_process, tmp_path):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, distributed.Client(cluster) as client:
        assert not any(client.run(lambda: "flows.ingest" in sys.modules).values())
        db = tmp_path / "news.duckdb"
        summary = newsduck("ingest", str(archive), "--db", str(db), "--dask-address", cluster.scheduler_address,
                           "--batch-size", "10")
        ran_there = client.run(lambda: "flows.ingest" in sys.modules)
    assert summary["new"] == RECORDS and articles(db) == articles(loaded_in_process)
    assert any(ran_there.values()), ran_there  # the fetch-and-extract tasks ran in the cluster's workers


def stale_copy(db: Path, to: Path) -> Path:
    """A copy of `db` whose articles look extracted by an older parser: other titles, other content hashes."""
    shutil.copy(db, to)
    con = duckdb.connect(str(to))
    try:
        con.execute("UPDATE articles SET title = 'stale', content_sha256 = 'stale'")
    finally:
        con.close()
    return to


def test_reparse_on_a_local_dask_cluster_restores_what_one_process_extracted(loaded_in_process, tmp_path):
    db = stale_copy(loaded_in_process, tmp_path / "news.duckdb")
    summary = newsduck("reparse", "--db", str(db), "--workers", "2", "--batch-size", "20")
    assert (summary["status"], summary["inputs"], summary["updated"], summary["errors"]) == ("completed", RECORDS,
                                                                                             RECORDS, 0)
    assert articles(db) == articles(loaded_in_process)


def test_reparse_on_a_dask_scheduler_extracts_on_its_workers(loaded_in_process, tmp_path):
    distributed = pytest.importorskip("distributed")
    db = stale_copy(loaded_in_process, tmp_path / "news.duckdb")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, distributed.Client(cluster) as client:
        summary = newsduck("reparse", "--db", str(db), "--dask-address", cluster.scheduler_address,
                           "--batch-size", "10")
        ran_there = client.run(lambda: "flows.reparse" in sys.modules)
    assert summary["updated"] == RECORDS and articles(db) == articles(loaded_in_process)
    assert any(ran_there.values()), ran_there  # the reparse-extract tasks ran in the cluster's workers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exit_code(argv: list[str]) -> int:
    """main()'s status; argparse's usage errors exit (2) from inside it."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


@pytest.mark.parametrize("argv, code, message", [
    (["--dask-address", "localhost:8786"], 2, "--dask-address expects a Dask scheduler address like tcp://"),
    (["--dask-address", "tcp://127.0.0.1:{port}"], 1, "no Dask scheduler answers at tcp://127.0.0.1:"),
    (["--workers", "2", "--dask-address", "tcp://127.0.0.1:8786"], 2, "not allowed with argument"),
    (["--workers", "0"], 2, "expected a number of at least 1"),
])
def test_dask_options_refuse_mistakes_with_one_sentence(archive, tmp_path, capsys, argv, code, message):
    argv = [arg.format(port=free_port()) for arg in argv]
    assert exit_code(["ingest", str(archive), "--db", str(tmp_path / "news.duckdb"), *argv]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("newsduck")]) <= 1


class Worker:
    def __init__(self, status) -> None:
        self.status = status


def heartbeat_failure() -> logging.LogRecord:
    return logging.LogRecord("distributed.worker", logging.ERROR, __file__, 0,
                             "Failed to communicate with scheduler during heartbeat.", None, None)


def test_a_heartbeat_that_fails_while_the_worker_closes_is_not_logged_but_one_that_fails_while_it_runs_is():
    from distributed.core import Status

    closing, running = Worker(Status.closing), Worker(Status.running)
    assert not HeartbeatWhileClosing(closing).filter(heartbeat_failure())
    assert HeartbeatWhileClosing(running).filter(heartbeat_failure())
    other = logging.LogRecord("distributed.worker", logging.ERROR, __file__, 0, "Compute Failed", None, None)
    assert HeartbeatWhileClosing(closing).filter(other)


def test_the_local_clusters_workers_of_a_run_filter_their_shutdown_heartbeat():
    """The run's LocalCluster starts its workers with flows.dask_runner as their preload (dask/distributed#7105:
    without it, about 1 close in 20 printed a traceback to the command's stderr)."""
    distributed = pytest.importorskip("distributed")
    kwargs = dask_task_runner(workers=2).cluster_kwargs
    with distributed.LocalCluster(**kwargs) as cluster, distributed.Client(cluster) as client:
        filters = client.run(lambda: [type(f).__name__ for f in logging.getLogger("distributed.worker").filters])
    assert len(filters) == 2 and all("HeartbeatWhileClosing" in names for names in filters.values()), filters
