"""How a run flow (ingest, crawl, reparse) ends in Prefect, and how its callers get the run's summary back.

A run flow always returns its summary; when the run did not complete, it returns it inside a final Prefect state
so that the Prefect UI, deployments and automations see what the `runs` table says: a `failed` run (a full disk,
a write error) is a Failed flow run, an `interrupted` run (Ctrl-C, SIGTERM) a Cancelled one. Callers use
`summary_of` to get the summary whatever the final state; an exception the flow raised is raised again.
"""

from __future__ import annotations

from typing import Any

from prefect.states import Cancelled, Failed, State

from warehouse.runs import FAILED, INTERRUPTED

__all__ = ["flow_outcome", "summary_of"]


def flow_outcome(summary: dict) -> dict | State:
    """What a run flow returns for `summary`: the summary itself when the run completed, else a Failed or
    Cancelled state that carries it."""
    if summary.get("status") == FAILED:
        return Failed(message=summary.get("failure") or f"run {summary.get('run_id')} failed", data=summary)
    if summary.get("status") == INTERRUPTED:
        return Cancelled(message=f"run {summary.get('run_id')} was interrupted", data=summary)
    return summary


def summary_of(run_flow: Any, /, **parameters: Any) -> dict:
    """Run `run_flow(**parameters)` and return its run's summary, whether the flow run ended Completed, Failed
    or Cancelled; an exception raised inside the flow is raised here as it would be by a plain call."""
    state = run_flow(**parameters, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return result
