"""`newsduck_flow`: Prefect's `@flow` for newsduck's flows, with their parameters recorded at less cost.

A flow run records its parameters on the Prefect server, each made JSON-ready by Prefect's serializer, FastAPI's
`jsonable_encoder`: importing FastAPI costs 0.15-0.25 s, a tenth of a one-page ingest, for parameters that are
JSON already (paths, numbers, lists of inputs). Parameters that are only str, int, float, bool, None, lists of them
and dicts of them with str keys are recorded as they are, which is what the serializer returns for them; any other
value (a datetime, a tuple, an enum) goes through Prefect's serializer as before. Everything else is Prefect's Flow.
"""

from __future__ import annotations

from typing import Any, Callable

from prefect import Flow

__all__ = ["JsonParametersFlow", "newsduck_flow"]

_JSON_SCALARS = (str, int, float, bool, type(None))


def is_plain_json(value: Any) -> bool:
    """Whether `value` is built of JSON's own types only (exact types: a str enum or a bool subclass is not)."""
    kind = type(value)
    if kind in _JSON_SCALARS:
        return True
    if kind is list:
        return all(is_plain_json(item) for item in value)
    if kind is dict:
        return all(type(key) is str and is_plain_json(item) for key, item in value.items())
    return False


class JsonParametersFlow(Flow):
    """A Prefect Flow that records plain-JSON parameters as they are (see the module's docstring).
    `with_options` returns Prefect's own Flow, which records the same parameters through the serializer."""

    def serialize_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        if all(is_plain_json(value) for value in parameters.values()):
            return dict(parameters)
        return super().serialize_parameters(parameters)


def newsduck_flow(**options: Any) -> Callable[[Callable[..., Any]], JsonParametersFlow]:
    """`@newsduck_flow(name=..., log_prints=True)`: like `@prefect.flow(...)`, a JsonParametersFlow."""
    def decorate(fn: Callable[..., Any]) -> JsonParametersFlow:
        return JsonParametersFlow(fn=fn, **options)
    return decorate
