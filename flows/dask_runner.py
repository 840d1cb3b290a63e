"""The Dask task runner of `newsduck ingest` and `reparse` (`--workers N`, `--dask-address`): their extraction
tasks run in Dask's worker processes, their loads in the flow's own process.

Named dask_runner, not dask: Prefect puts flows/ on sys.path when it loads a deployment's entrypoint, and a
module named after a third-party package would shadow it. Prefect and prefect-dask are imported only when a
runner is made.

The module is also the preload of the LocalCluster's workers (`dask_setup`): their log goes to the command's
own stderr, so what they log there must be a real fault.
"""

from __future__ import annotations

import logging
import os
import weakref

HEARTBEAT_FAILED = "Failed to communicate with scheduler during heartbeat"


def dask_task_runner(workers: int | None = None, address: str | None = None):
    """A Prefect task runner that sends a flow's extraction tasks to Dask: the scheduler at `address`
    (tcp://host:port, its workers on any machine that has newsduck installed), or a LocalCluster of `workers`
    processes started for the run. Loads stay in the flow's process."""
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")  # no line per worker started and stopped
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs={
        "n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0",
        "preload": [__name__]})


class HeartbeatWhileClosing(logging.Filter):
    """Drops the heartbeat failure a worker logs, with a traceback, once it is closing. When a LocalCluster
    closes, the scheduler retires each worker and drops its connections; a heartbeat in flight at that moment
    fails (dask/distributed#7105), after the run's work is done. A heartbeat that fails while the worker is
    running still reaches the log."""

    def __init__(self, worker) -> None:
        super().__init__()
        self.worker = weakref.ref(worker)

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(HEARTBEAT_FAILED):
            return True
        from distributed.core import Status

        worker = self.worker()
        return worker is not None and worker.status in (Status.running, Status.paused)


def dask_setup(worker) -> None:
    """Dask's preload hook, run in each LocalCluster worker process as it starts."""
    logging.getLogger("distributed.worker").addFilter(HeartbeatWhileClosing(worker))
