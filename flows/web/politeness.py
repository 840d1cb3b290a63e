"""Politeness policy: how hard one Fetcher may press each host.

Per host name: at most `per_host_concurrency` requests in flight, request starts at least `min_delay_per_host`
seconds apart (raised by a robots.txt Crawl-delay, capped at `max_crawl_delay`), and after a 429 or 503 no request
starts before its Retry-After has passed. Over all hosts: at most `global_concurrency` requests in flight.
Protocol:
- `async with Politeness.slot(host):` around each request sent;
- `Politeness.crawl_delay(host, seconds)` when a robots.txt names one;
- `Politeness.hold(host, seconds)` when the host asked everyone to wait.
With `config.politeness` off only the global limit holds. Fetcher-wide: one request cannot opt out, as the host's
limits are shared by every request to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from .config import FetchConfig


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class HostGate:
    """Per host name: at most `slots` requests in flight, request starts at least `delay` seconds apart."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.start_lock = asyncio.Lock()
        self.delay = delay
        self.last_start: float | None = None
        self.next_start = 0.0

    def started(self, now: float) -> None:
        self.last_start = now
        self.next_start = max(self.next_start, now + self.delay)

    def raise_delay(self, delay: float) -> None:
        """A longer delay (robots Crawl-delay) also pushes back the next start, counted from the last one."""
        self.delay = max(self.delay, delay)
        if self.last_start is not None:
            self.next_start = max(self.next_start, self.last_start + self.delay)

    def defer_until(self, when: float) -> None:
        self.next_start = max(self.next_start, when)


class Politeness:
    """The host gates and the global limit of one Fetcher (see the protocol above)."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        self.enabled = config.politeness
        self._gates: dict[str, HostGate] = {}
        self._global = asyncio.Semaphore(config.global_concurrency)

    def gate(self, host: str) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = HostGate(self.config.per_host_concurrency, self.config.min_delay_per_host)
            self._gates[host] = gate
        return gate

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a per-host slot and the host's next allowed start, then a global slot."""
        if not self.enabled:
            async with self._global:
                yield
            return
        gate = self.gate(host)
        loop = asyncio.get_running_loop()
        async with gate.slots:
            async with gate.start_lock:  # starts to one host are serialized, so the delay holds between all of them
                while (wait := gate.next_start - loop.time()) > 0:
                    await asyncio.sleep(wait)
                await self._global.acquire()
                gate.started(loop.time())
            try:
                yield
            finally:
                self._global.release()

    def crawl_delay(self, host: str, seconds: float) -> None:
        if self.enabled:
            self.gate(host).raise_delay(min(seconds, self.config.max_crawl_delay))

    def hold(self, host: str, seconds: float) -> None:
        if self.enabled:
            self.gate(host).defer_until(asyncio.get_running_loop().time() + seconds)
