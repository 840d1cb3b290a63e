"""A run's summary as the commands print it: the outcomes of its inputs, and its first errors.

Every input of a run has exactly one outcome (warehouse.models.LoadCounts), so the outcome counts of a
summary add up to its `inputs`; the printed line shows every outcome that is not 0, so it adds up too.
"""

from __future__ import annotations

# Summary key -> label, in the order printed. The keys are the outcome fields of LoadCounts.
OUTCOMES = {
    "new": "new",
    "updated": "updated",
    "unchanged": "unchanged",
    "not_article": "not articles",
    "duplicates": "duplicates",
    "skipped_robots": "skipped (robots)",
    "no_edition": "no edition",
    "errors": "errors",
}
ALWAYS_SHOWN = ("new", "updated", "unchanged", "not_article", "errors")  # the others only when not 0
ERRORS_SHOWN = 3  # first errors printed under a summary


def shown_outcomes(*summaries: dict) -> list[str]:
    """The outcome keys to print for these summaries: the usual ones, and any other that one of them has."""
    return [key for key in OUTCOMES if key in ALWAYS_SHOWN or any(s.get(key) for s in summaries)]


def format_outcomes(summary: dict) -> str:
    """`inputs 78  new 64  updated 0  unchanged 0  not articles 11  duplicates 3  errors 0`"""
    return "  ".join([f"inputs {summary['inputs']}"]
                     + [f"{OUTCOMES[key]} {summary[key]}" for key in shown_outcomes(summary)])


def first_error_lines(summary: dict, prefix: str = "") -> list[str]:
    """The run's first errors, each naming its input, then how many more there are and where to find them."""
    errors = summary.get("first_errors") or []
    lines = []
    for error in errors[:ERRORS_SHOWN]:
        message = error["message"] or ""
        if error["input"] not in message:
            message = f"{message} ({error['input']})" if message else error["input"]
        lines.append(f"  {prefix}{error['error_type']}: {message}")
    more = summary["errors"] - min(ERRORS_SHOWN, len(errors))
    if more > 0:
        lines.append(f"  {prefix}… {more} more (SELECT * FROM errors WHERE run_id = '{summary['run_id']}')")
    return lines


def format_run(summary: dict, db: str | None = None) -> str:
    """The outcome line (ending with the database file, when given), then the first errors: what `ingest`,
    `reparse` and the demo print."""
    outcomes = format_outcomes(summary) + (f"  db {db}" if db else "")
    return "\n".join([outcomes, *first_error_lines(summary)])
