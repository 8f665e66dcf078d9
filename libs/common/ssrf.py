"""The SSRF guard: a user-supplied URL may only reach the public internet (or a receiver we trust).

`check_url` resolves the host once and rejects the URL if ANY of its addresses is not public
(loopback, private, link-local, shared/CGNAT, multicast, reserved, the cloud metadata addresses,
or an IPv6 address that embeds such an IPv4 one). Callers then connect to the address that was
checked (`CheckedUrl.target`, sending `Host` and SNI for the original name), so a DNS answer
that changes between the check and the request (rebinding) cannot steer the request inside.

Numeric host spellings (`2130706433`, `0x7f000001`, `017700000001`, `127.1`) need no special
case: the resolver normalises them to the address they mean, and that address is what is checked.
"""

import asyncio
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from libs.common.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

BROADCAST = ipaddress.ip_address("255.255.255.255")
HOST_NAME = re.compile(r"^[a-z0-9._:-]+$")

CATEGORIES: tuple[tuple[Callable[[IPAddress], bool], str], ...] = (
    (lambda address: address in METADATA_ADDRESSES, "a cloud metadata address"),
    (lambda address: address.is_loopback, "a loopback address"),
    (lambda address: address.is_unspecified, "the unspecified address"),
    (lambda address: address.is_link_local, "a link-local address"),
    (lambda address: address.version == 4 and address in SHARED_ADDRESS_SPACE, "a shared (carrier-grade NAT) address"),
    (lambda address: address.is_multicast, "a multicast address"),
    (lambda address: address == BROADCAST, "the broadcast address"),
    (lambda address: address.is_private, "a private address"),
    (lambda address: address.is_reserved, "a reserved address"),
    (lambda address: not address.is_global, "not a public address"),
)


class UnsafeUrl(InvalidInput):
    """A URL the platform refuses to call: its reason names what is wrong, and never echoes a secret."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"url is not allowed: {reason}", field="url")
        self.reason = reason


@dataclass(frozen=True)
class Allowlist:
    """Receivers trusted although they are not public: exact host names, and IP networks."""

    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> "Allowlist":
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                hosts.add(entry.strip().lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def admits(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks if network.version == address.version)


@dataclass(frozen=True)
class CheckedUrl:
    """A URL that passed the guard, with the address it must be requested at."""

    url: str
    scheme: str
    hostname: str  # ASCII (IDNA) form: the SNI name
    host_header: str  # what `Host` must say: the name, and the port when it is not the default
    address: IPAddress
    port: int
    path: str  # path and query, as given

    @property
    def target(self) -> str:
        """The URL to connect to: the checked address in place of the name."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{literal}:{self.port}{self.path}"


async def check_url(url: str, allowed: Allowlist) -> CheckedUrl:
    """Check `url` and resolve its host; raise `UnsafeUrl` saying why it may not be called."""
    scheme, hostname, port, path = _parse(url)
    literal = _ip_literal(hostname)
    addresses = [literal] if literal is not None else await _resolve(hostname, port)
    if hostname not in allowed.hosts:
        for address in addresses:
            reason = None if allowed.admits(address) else blocked_because(address)
            if reason is not None:
                subject = hostname if literal is not None else f"{hostname} resolves to {address}, which"
                raise UnsafeUrl(f"{subject} is {reason}")
    default = DEFAULT_PORTS[scheme] == port
    bracketed = f"[{hostname}]" if ":" in hostname else hostname
    host_header = bracketed if default else f"{bracketed}:{port}"
    return CheckedUrl(url, scheme, hostname, host_header, addresses[0], port, path)


def blocked_because(address: IPAddress) -> str | None:
    """Why `address` is not a public destination, or None when it is."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        reason = blocked_because(embedded)
        return f"an IPv6 address embedding {embedded}, {reason}" if reason else None
    return next((reason for applies, reason in CATEGORIES if applies(address)), None)


def _parse(url: str) -> tuple[str, str, int, str]:
    """Scheme, ASCII host name, port, and path with query; raises `UnsafeUrl` on anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl(f"it is not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeUrl(f"only http and https URLs can receive webhooks, not {scheme or 'a relative URL'!r}")
    if "@" in parts.netloc:
        raise UnsafeUrl("credentials (user:password@) in the URL are not allowed")
    if not parts.hostname:
        raise UnsafeUrl("the URL has no host")
    try:
        hostname = parts.hostname.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        hostname = ""
    if not HOST_NAME.match(hostname):
        raise UnsafeUrl(f"{parts.hostname!r} is not a valid host name")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, hostname, DEFAULT_PORTS[scheme] if port is None else port, path


async def _resolve(hostname: str, port: int) -> list[IPAddress]:
    """Every address the resolver gives for `hostname` (looked up in a thread: getaddrinfo blocks)."""
    try:
        found = await asyncio.to_thread(socket.getaddrinfo, hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeUrl(f"the host {hostname} does not resolve ({getattr(error, 'strerror', None) or error})") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found))
    if not addresses:
        raise UnsafeUrl(f"the host {hostname} has no address")
    return addresses


def _ip_literal(hostname: str) -> IPAddress | None:
    """The address a host written as a standard IP literal stands for; names and odd spellings give None."""
    try:
        return ipaddress.ip_address(hostname)
    except ValueError:
        return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4 or NAT64 IPv6 address."""
    if address.version == 4:
        return None
    assert isinstance(address, ipaddress.IPv6Address)
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in prefix for prefix in NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
