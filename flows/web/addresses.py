"""Which addresses a fetch may reach: the guard against server-side request forgery.

A crawl follows links and redirects that other people's servers choose. With `FetchConfig.block_private_addresses`
on (as the crawl and ingest flows set it), a URL whose host is, or resolves to, an address that is not globally
routable (loopback, private networks, link-local such as the cloud metadata address 169.254.169.254, shared,
reserved, multicast, unspecified) is refused before any connection is made, at every redirect hop, unless its
origin (host and port) is one the user named (`allowed_private_origins`: the URLs given to `ingest`, a source's
start URLs). So a page that answers `302` to another port of 127.0.0.1 is never followed there.

The check resolves the host itself; the HTTP client resolves it again when it connects, so a name that changes
its answer between the two (DNS rebinding) is not covered.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Iterable
from urllib.parse import urlsplit

from parsers.urls import DEFAULT_PORTS

from .errors import ForbiddenAddress


def origin_of(url: str) -> str | None:
    """`host:port` of an http(s) URL (lower-case host, default port filled in), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return f"{parts.hostname.lower()}:{port}"


def origins_of(urls: Iterable[str]) -> frozenset[str]:
    return frozenset(o for o in (origin_of(u) for u in urls) if o)


def non_public(address: str) -> str | None:
    """What kind of non-public address `address` is ("loopback", "private", "link-local", ...), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "non-public"


class AddressGuard:
    """Resolves each host once per fetcher and refuses URLs that lead to non-public addresses."""

    def __init__(self, allowed_origins: frozenset[str]) -> None:
        self.allowed_origins = allowed_origins
        self._resolved: dict[tuple[str, int], list[str]] = {}

    async def check(self, url: str) -> None:
        origin = origin_of(url)
        if origin is None or origin in self.allowed_origins:
            return
        host, _, port = origin.rpartition(":")
        for address in await self._addresses(host.strip("[]"), int(port)):
            kind = non_public(address)
            if kind is not None:
                shown = host if host == address else f"{host} ({address})"
                raise ForbiddenAddress(f"{shown} is a {kind} address and {origin} was not named as a start URL; "
                                       "not requested", url=url)

    async def _addresses(self, host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        key = (host, port)
        if key not in self._resolved:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError:
                infos = []  # the connection attempt reports the DNS failure as usual
            self._resolved[key] = sorted({info[4][0] for info in infos})
        return self._resolved[key]
