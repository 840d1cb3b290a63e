"""Retry policy: which failures are asked again, and after how long.

Protocol: after attempt `n` (1, 2, ...) of one request failed, `RetryPolicy.delay_after_error(n, error, config)` or
`RetryPolicy.delay_after_status(n, status, retry_after, config)` is the number of seconds to wait before attempt
n + 1, or None to stop and report the failure. Retried: timeouts and connection failures (`FetchError.retryable`),
HTTP 429 and 5xx; at most `config.max_retries` times, never with `config.retry` off. 429 and 503 honour Retry-After
(capped at `max_retry_after`); everything else waits an exponential backoff with full jitter.
"""

from __future__ import annotations

import email.utils
import random
from datetime import datetime, timezone

from .config import FetchConfig
from .errors import FetchError


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**(attempt-1))) for attempt 1, 2, ..."""
    return rng.uniform(0.0, min(cap, base * 2 ** max(0, attempt - 1)))


def retry_delay(
    attempt: int,
    config: FetchConfig,
    rng: random.Random,
    *,
    status: int | None = None,
    retry_after: str | None = None,
    now: datetime | None = None,
) -> float:
    """How long to wait before retry number `attempt`: 429/503 honour Retry-After (capped), else backoff."""
    if status in (429, 503):
        seconds = parse_retry_after(retry_after, now=now)
        if seconds is not None:
            return min(seconds, config.max_retry_after)
    return backoff_delay(attempt, base=config.backoff_base, cap=config.backoff_max, rng=rng)


def retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


class RetryPolicy:
    """Decides retries for the requests of one Fetcher (its `rng` draws the jitter)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    @staticmethod
    def allows_another(attempt: int, config: FetchConfig) -> bool:
        return config.retry and attempt <= config.max_retries

    def delay_after_error(self, attempt: int, error: FetchError, config: FetchConfig) -> float | None:
        if not error.retryable or not self.allows_another(attempt, config):
            return None
        return retry_delay(attempt, config, self.rng)

    def delay_after_status(
        self, attempt: int, status: int, retry_after: str | None, config: FetchConfig
    ) -> float | None:
        if not retryable_status(status) or not self.allows_another(attempt, config):
            return None
        return retry_delay(attempt, config, self.rng, status=status, retry_after=retry_after)
