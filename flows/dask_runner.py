"""The Dask task runner of `newsduck ingest` and `reparse` (`--workers N`, `--dask-address`): their extraction
tasks run in Dask's worker processes, their loads in the flow's own process.

Named dask_runner, not dask: Prefect puts flows/ on sys.path when it loads a deployment's entrypoint, and a
module named after a third-party package would shadow it. Prefect and prefect-dask are imported only when a
runner is made.
"""

from __future__ import annotations

import os


def dask_task_runner(workers: int | None = None, address: str | None = None):
    """A Prefect task runner that sends a flow's extraction tasks to Dask: the scheduler at `address`
    (tcp://host:port, its workers on any machine that has newsduck installed), or a LocalCluster of `workers`
    processes started for the run. Loads stay in the flow's process."""
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")  # no line per worker started and stopped
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs={
        "n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0"})
