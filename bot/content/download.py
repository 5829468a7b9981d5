"""Download a file Teams links to, calling only what STRATEGIBOT_DOWNLOAD_HOSTS allows.

Every hop (the link, and each redirect) is checked before it is called: its scheme, host and port against
the rules, then the addresses its name resolves to. The connection goes to exactly those checked addresses
(a resolver that answers only with them), so a second DNS answer cannot point it elsewhere. The body is read
up to the size limit and no further, within one time budget for the whole download.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.content.hosts import HostRule
from knowledge.settings import BYTES_PER_MB

MAX_REDIRECTS = 3
_CHUNK_BYTES = 64 * 1024


class DownloadRefused(Exception):
    """The link is not one the bot may call; nothing was sent to it."""


class DownloadFailed(Exception):
    """The download was tried and did not give a usable file (too large, an HTTP error, too slow)."""


class DownloadTooLarge(DownloadFailed):
    """The file is larger than the size limit; what was read of it is dropped."""


@dataclass(frozen=True)
class Downloaded:
    data: bytes
    host: str


async def download(url: str, rules: Sequence[HostRule], max_bytes: int, timeout_seconds: float) -> Downloaded:
    try:
        async with asyncio.timeout(timeout_seconds):
            for _ in range(MAX_REDIRECTS + 1):
                hop = await _checked_hop(url, rules)
                connector = aiohttp.TCPConnector(resolver=_PinnedResolver(hop.addresses), use_dns_cache=False)
                async with (
                    aiohttp.ClientSession(connector=connector) as session,
                    session.get(url, allow_redirects=False) as response,
                ):
                    if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                        url = urljoin(url, response.headers["Location"])
                        continue
                    if response.status != 200:
                        raise DownloadFailed(f"the download link answered HTTP {response.status}")
                    if (response.content_length or 0) > max_bytes:
                        raise DownloadTooLarge(_too_large(max_bytes))
                    return Downloaded(await _body(response, max_bytes), hop.host)
            raise DownloadFailed(f"the download link redirected more than {MAX_REDIRECTS} times")
    except TimeoutError:
        raise DownloadFailed(f"the download took more than {timeout_seconds:g} s") from None
    except aiohttp.ClientError as error:
        raise DownloadFailed(f"the download failed ({type(error).__name__})") from None


@dataclass(frozen=True)
class _Hop:
    host: str
    addresses: tuple[ResolveResult, ...]


async def _checked_hop(url: str, rules: Sequence[HostRule]) -> _Hop:
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        raise DownloadRefused("the download link has an invalid port") from None
    rule = next((r for r in rules if r.allows(scheme, host, port)), None)
    if rule is None:
        allowed = ", ".join(str(r) for r in rules)
        raise DownloadRefused(f"{scheme}://{host} is not an allowed download host ({allowed})")
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise DownloadFailed(f"the download host {host} could not be found") from None
    addresses = []
    for family, _, proto, _, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not rule.allows_address(address):
            raise DownloadRefused(f"{host} resolves to {address}, which is not a public address")
        addresses.append(
            ResolveResult(hostname=host, host=str(address), port=port, family=family, proto=proto, flags=0)
        )
    return _Hop(host, tuple(addresses))


class _PinnedResolver(AbstractResolver):
    """Answers with the addresses already checked, whatever DNS would say now."""

    def __init__(self, addresses: Sequence[ResolveResult]) -> None:
        self._addresses = list(addresses)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [a for a in self._addresses if a["hostname"] == host] or self._addresses

    async def close(self) -> None:
        return None


async def _body(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    received = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
        received += chunk
        if len(received) > max_bytes:
            raise DownloadTooLarge(_too_large(max_bytes))
    return bytes(received)


def _too_large(max_bytes: int) -> str:
    return f"the file is larger than {max_bytes / BYTES_PER_MB:g} MB (STRATEGIBOT_MAX_FILE_MB)"
