"""Which download links the bot may follow: host rules from STRATEGIBOT_DOWNLOAD_HOSTS.

A rule is a host (`files.example.org`), a host and port (`127.0.0.1:8443`), or every subdomain of a domain
(`*.sharepoint.com`). A subdomain rule is for the public cloud: it takes https on port 443 only, and only
addresses on the public internet, so that a name which resolves to a loopback or private address (or is
made to, by whoever controls the domain's DNS) is never called. A host named in full is the operator's own
choice, private address and plain http included.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_DEFAULT_PORTS = {"https": 443, "http": 80}


class InvalidHostRule(ValueError):
    pass


@dataclass(frozen=True)
class HostRule:
    host: str
    """Lower case; for a subdomain rule, the domain without "*."."""
    port: int | None = None
    subdomains: bool = False

    @classmethod
    def parse(cls, text: str) -> HostRule:
        rule = text.strip().lower()
        if not rule or "/" in rule or "@" in rule:
            raise InvalidHostRule(f"{text.strip()!r} is not a host (no scheme or path)")
        port: int | None = None
        if rule.startswith("["):  # [IPv6]:port
            host, _, rest = rule[1:].partition("]")
            if rest.startswith(":"):
                port = _port(text, rest[1:])
        elif rule.count(":") == 1:
            host, _, port_text = rule.partition(":")
            port = _port(text, port_text)
        else:
            host = rule
        subdomains = host.startswith("*.")
        host = host[2:] if subdomains else host
        if not host or "*" in host or (subdomains and "." not in host):
            raise InvalidHostRule(f"{text.strip()!r}: a wildcard must be '*.' before a domain such as *.sharepoint.com")
        return cls(host, port, subdomains)

    def allows(self, scheme: str, host: str, port: int | None) -> bool:
        """Whether a link to ``scheme://host:port`` fits this rule (addresses are checked apart)."""
        default = _DEFAULT_PORTS.get(scheme)
        if default is None:
            return False
        port = port or default
        host = host.lower().rstrip(".")
        if self.subdomains:
            return scheme == "https" and host.endswith("." + self.host) and port == (self.port or 443)
        return host == self.host and port == (self.port or default)

    def allows_address(self, address: IPAddress) -> bool:
        return address.is_global if self.subdomains else True

    def __str__(self) -> str:
        host = f"*.{self.host}" if self.subdomains else self.host
        return f"{host}:{self.port}" if self.port else host


def _port(text: str, port_text: str) -> int:
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidHostRule(f"{text.strip()!r} has no valid port")
    return int(port_text)
