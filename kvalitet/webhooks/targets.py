"""Where a delivery may go: public internet addresses only, unless private ones are allowed.

A subscription's URL is chosen by whoever manages the subscription, and the delivery log shows
what came back, so a URL inside the service's own network would turn the worker into a port
scanner (or a reader of the cloud's metadata service). Two checks:

- `host_refusal`, when a subscription is created or changed: a host that is a literal non-public
  address (in any spelling, e.g. `127.1`, `2130706433`, `[::ffff:127.0.0.1]`) or a local name
  (`localhost`, `*.localhost`, `*.local`, `*.internal`, `*.home.arpa`, a name without a dot).
- `pin`, at every delivery attempt: the host name is resolved once, every address it resolves
  to must be public, and the post goes to the checked address itself (the URL's host replaced
  by the address, with the `Host` header and the TLS server name of the original host), so a
  name that resolves to a public address for the check and to 127.0.0.1 a moment later (DNS
  rebinding) cannot get through.

`KVALITET_WEBHOOK_ALLOW_PRIVATE_TARGETS=true` turns both checks off (development, tests).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

import httpx

from kvalitet.messages import Text, text

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port → the addresses the host name resolves to (as text, e.g. "192.0.2.7" or "2001:db8::7").
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class Refused(Exception):
    """The target is not a public address: nothing is sent."""


def is_public(address: Address) -> bool:
    """True for a globally routable unicast address. An IPv6 address that carries an IPv4 one
    (IPv4-mapped, 6to4, NAT64) is judged by the IPv4 address it leads to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
        if address.is_site_local:
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_reserved
        or address.is_private
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def literal_address(host: str) -> Address | None:
    """The address a URL's host spells literally, or None for a name. Besides the usual forms,
    the old IPv4 spellings the system resolver accepts (`127.1`, `0x7f.0.0.1`, `2130706433`)."""
    host = unquote(host).strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host[:1].isdigit() and all(ch in "0123456789abcdefx." for ch in host.lower()):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _shown(address: Address, host: str | None = None) -> str:
    """The address as people write it (::ffff:127.0.0.1, not ::ffff:7f00:1), and the host as
    written when it spells the address in another way (2130706433 (127.0.0.1))."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        shown = f"::ffff:{address.ipv4_mapped}"
    else:
        shown = str(address)
    if host is not None and isinstance(address, ipaddress.IPv4Address) and unquote(host) != shown:
        return f"{host} ({shown})"
    return shown


def host_refusal(host: str) -> Text | None:
    """Why `host` (a URL's host) is not a public target, or None when it may be one. A name is
    only refused here when it is local by its very spelling; where it leads is checked at
    every delivery (`pin`)."""
    address = literal_address(host)
    if address is not None:
        return None if is_public(address) else text("webhook.not_public_address", address=_shown(address, host))
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(_LOCAL_SUFFIXES):
        return text("webhook.local_name", name=name)
    if "." not in name:
        return text("webhook.local_name_without_dot", name=name)
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of `host`, from the system resolver (through the event loop's getaddrinfo)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]  # an IPv4 or IPv6 address: text already


@dataclass
class Pinned:
    """A request to one checked address: the URL with the address for its host, and what
    keeps the original host visible to the receiver (the `Host` header, the TLS server name)."""

    url: httpx.URL
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, object] = field(default_factory=dict)


async def pin(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> list[Pinned]:
    """The requests to make for `url`, one for each address its host resolves to (try them in
    order until one connects). The host is resolved once, here; every address must be public
    unless `allow_private`, else `Refused`. Raises httpx.ConnectError for a host that cannot
    be resolved, and httpx.InvalidURL for a URL that is none."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise Refused(f"{url[:200]} is not an http(s) URL with a host")
    address = literal_address(parsed.host)
    if address is not None:
        if not allow_private and not is_public(address):
            raise Refused(f"{_shown(address, parsed.host)} is not a public address")
        # An old spelling (`134744072`) goes to the address it spells, without asking DNS.
        return [Pinned(parsed if parsed.host == str(address) else parsed.copy_with(host=str(address)))]
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = await (resolve or system_resolver)(host, port)
    except OSError as error:  # socket.gaierror: no such name, no answer (a failed try, not a refusal)
        raise httpx.ConnectError(f"{host} could not be resolved ({error.strerror or error})") from error
    addresses: list[Address] = []
    for found_address in found:
        resolved = ipaddress.ip_address(found_address)
        if not allow_private and not is_public(resolved):
            raise Refused(f"{host} resolves to {_shown(resolved)}, which is not a public address")
        if resolved not in addresses:
            addresses.append(resolved)
    if not addresses:
        raise httpx.ConnectError(f"{host} resolves to no address")
    # The Host header as httpx would have sent it (no userinfo; the port only when not the default).
    headers = {"Host": parsed.netloc.decode("ascii")}
    extensions: dict[str, object] = {"sni_hostname": host} if parsed.scheme == "https" else {}
    return [Pinned(parsed.copy_with(host=str(address)), headers, extensions) for address in addresses]
