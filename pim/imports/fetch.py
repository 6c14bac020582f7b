"""Downloading images by URL from supplier files, safe against server-side request forgery.

A supplier file can name any URL, so a download must not become a way to reach what only the
server can reach: the loopback interface, the private network, the cloud metadata service.
:func:`fetch_url` therefore

- accepts only ``http`` and ``https`` URLs without credentials, and host names or standard
  IP addresses only (``http://2130706433/``, ``http://0x7f.1/`` and ``http://127.1/`` are
  refused rather than guessed at);
- resolves the host once and refuses it unless *every* address it resolves to is public
  (loopback, private, link-local, shared, multicast, reserved and other non-global
  addresses are refused, also when spelled as IPv4-mapped, 6to4 or NAT64 IPv6 addresses),
  except for the networks the policy explicitly allows (``VITRINE_FETCH_ALLOWED_NETWORKS``);
- connects to the address it checked, never looking the name up again (no DNS rebinding),
  with the original ``Host`` header and, for https, SNI and certificate verification against
  the host name;
- follows redirects itself, checking every hop the same way before connecting to it;
- streams the body into the caller's file, stopping at ``max_bytes`` whatever the
  ``Content-Length`` says, and gives the whole download, redirects included, one deadline.

Limits: no proxy support (``HTTP_PROXY`` and friends are ignored on purpose); no cookies,
authentication or compression; international host names are converted with Python's IDNA
2003 codec; the DNS lookup itself is bounded by the system resolver's timeouts, not by the
policy's deadline. When :class:`FetchError` is raised, ``out`` may hold part of the body:
write into a temporary file and discard it on error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import io
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import BinaryIO
from urllib.parse import quote, urljoin, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024

_OFF_LIMITS = (
    "; image downloads may not reach such addresses "
    "(VITRINE_FETCH_ALLOWED_NETWORKS lists the exceptions)"
)
_SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64_PREFIXES = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_CLOUD_METADATA = ipaddress.IPv4Address("169.254.169.254")
#: A last host label that some parsers read as a number (``127.1``, ``0x7f.1``, ``2130706433``).
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", re.IGNORECASE)
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)", re.IGNORECASE)
#: Characters left as they are in the request target; everything else is percent-encoded.
_TARGET_SAFE = "/:@!$&'()*+,;=?%"
_USERINFO = re.compile(r"\A(?P<scheme>[^:/?#]*:)?//[^/?#]*@")
_MESSAGE_URL_LENGTH = 200


class FetchError(Exception):
    """A URL could not be downloaded; ``str()`` names the URL (without credentials) and why."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = redact_url(url)
        self.reason = reason
        shown = self.url
        if len(shown) > _MESSAGE_URL_LENGTH:
            shown = shown[:_MESSAGE_URL_LENGTH] + "…"
        super().__init__(f"Could not download {shown}: {reason}")

    def __reduce__(self):
        # Job queues pickle exceptions; rebuild from the two attributes, not from str().
        return (type(self), (self.url, self.reason))


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_url` wrote into ``out``."""

    url: str  #: the final URL, after redirects
    content_type: str  #: the response's Content-Type header ('' when there is none)
    size: int
    sha256: str  #: hex digest of the bytes written


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one download; the defaults suit images from suppliers' servers."""

    #: Exceptions to the forbidden ranges (e.g. an internal image server in 10.0.0.0/8).
    allowed_networks: tuple[IPNetwork, ...] = ()
    max_bytes: int = 50 * 1024 * 1024
    timeout: float = 20.0  #: seconds for the whole download, redirects included
    max_redirects: int = 5
    user_agent: str = "Vitrine/0.1 (+image import)"

    def __post_init__(self) -> None:
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in self.allowed_networks)
        object.__setattr__(self, "allowed_networks", networks)
        if self.timeout <= 0 or self.max_bytes < 0 or self.max_redirects < 0:
            raise ValueError(
                "a FetchPolicy needs a positive timeout and non-negative max_bytes and "
                "max_redirects"
            )

    @classmethod
    def from_config(cls, config: Mapping) -> FetchPolicy:
        """Build the policy from the app configuration.

        Reads ``FETCH_ALLOWED_NETWORKS`` (comma-separated CIDRs, may be empty) and the optional
        ``FETCH_MAX_BYTES``.
        """
        networks = config.get("FETCH_ALLOWED_NETWORKS") or ()
        if isinstance(networks, str):
            networks = [entry.strip() for entry in networks.split(",") if entry.strip()]
        raw_max = config.get("FETCH_MAX_BYTES")
        if raw_max in (None, ""):
            return cls(allowed_networks=tuple(networks))
        try:
            max_bytes = int(raw_max)
        except (TypeError, ValueError):
            raise ValueError(
                f"FETCH_MAX_BYTES must be a whole number of bytes, got {raw_max!r}"
            ) from None
        return cls(allowed_networks=tuple(networks), max_bytes=max_bytes)


def redact_url(url: str) -> str:
    """Return ``url`` without its user name and password, for messages and logs."""
    # Normalise the way urlsplit does, so that "ht\ttp://u:p@h" cannot hide its password.
    cleaned = re.sub(r"[\t\r\n]", "", url.lstrip("".join(map(chr, range(33)))))
    return _USERINFO.sub(lambda m: f"{m['scheme'] or ''}//", cleaned)


def check_url(url: str, policy: FetchPolicy = FetchPolicy()) -> None:
    """Raise :class:`FetchError` when ``url`` can be refused without downloading it.

    Checks the scheme, credentials, host syntax and, when the host is an IP address, whether
    the policy lets downloads reach it. Host names are not resolved here: use this to
    validate import rows; :func:`fetch_url` repeats every check and resolves the name.
    """
    try:
        _checked_literal(_parse_target(url), policy)
    except Refused as exc:
        raise FetchError(url, exc.reason) from None


def fetch_url(url: str, out: BinaryIO, policy: FetchPolicy = FetchPolicy()) -> FetchResult:
    """Download ``url`` into ``out`` (streamed in chunks) and describe what was written.

    Raises :class:`FetchError` when the URL is refused, the server cannot be reached or
    answers with an error, the body is larger than ``policy.max_bytes`` or the whole
    download takes longer than ``policy.timeout``.
    """
    deadline = time.monotonic() + policy.timeout
    try:
        return _fetch(url, out, policy, deadline)
    except Refused as exc:
        raise FetchError(url, exc.reason) from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(url, describe_error(exc, policy)) from exc


# --- the download ------------------------------------------------------------------------


class Refused(Exception):
    """Internal: the reason a download stops; :func:`fetch_url` turns it into FetchError."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fetch(url: str, out: BinaryIO, policy: FetchPolicy, deadline: float) -> FetchResult:
    target = checked_target(url, policy)
    visited = {url}
    for hops in range(policy.max_redirects + 1):
        with _exchange(target, policy, deadline) as response:
            if response.status not in REDIRECT_STATUSES:
                return _save(response, target.url, out, policy)
            location = _redirect_location(response, target.url)
        if hops == policy.max_redirects:
            break
        if location in visited:
            raise Refused(f"its redirects loop back to {redact_url(location)}")
        visited.add(location)
        target = _redirect_target(location, policy)
    raise Refused(f"it redirects more than {policy.max_redirects} times")


@contextlib.contextmanager
def _exchange(target: _Target, policy: FetchPolicy, deadline: float) -> Iterator:
    """Send the GET request to the checked address and yield the response, closing both."""
    connection = connect_pinned(target, deadline)
    try:
        headers = {
            "Host": target.host_header,
            "User-Agent": policy.user_agent,
            "Accept": "image/*, */*;q=0.5",
            "Accept-Encoding": "identity",
            "Connection": "close",
        }
        connection.request("GET", target.request_target, headers=headers)
        with connection.getresponse() as response:
            yield response
    finally:
        connection.close()


def _redirect_location(response: http.client.HTTPResponse, base: str) -> str:
    location = (response.getheader("Location") or "").strip()
    if not location:
        raise Refused(f"the server answered {response.status} without a Location header")
    return urljoin(base, location)


def _redirect_target(location: str, policy: FetchPolicy) -> _Target:
    try:
        return checked_target(location, policy)
    except Refused as exc:
        raise Refused(
            f"it redirects to {redact_url(location)}, which is refused: {exc.reason}"
        ) from None


def _save(
    response: http.client.HTTPResponse, url: str, out: BinaryIO, policy: FetchPolicy
) -> FetchResult:
    """Stream a final response into ``out``, enforcing the status and the size limit."""
    if not 200 <= response.status < 300:
        raise Refused(f"the server answered {response.status} {response.reason}".rstrip())
    declared = response.length  # None when chunked or delimited by the connection closing
    if declared is not None and declared > policy.max_bytes:
        raise Refused(f"it is larger than {policy.max_bytes} bytes (Content-Length: {declared})")
    size, sha256 = _stream(response, out, policy.max_bytes)
    if declared is not None and size < declared:
        raise Refused(f"the server closed the connection after {size} of {declared} bytes")
    content_type = (response.getheader("Content-Type") or "").strip()
    return FetchResult(url=url, content_type=content_type, size=size, sha256=sha256)


def _stream(response: http.client.HTTPResponse, out: BinaryIO, max_bytes: int) -> tuple:
    digest = hashlib.sha256()
    size = 0
    # read1 returns after one read on the socket, so a trickling server meets the deadline.
    while chunk := response.read1(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise Refused(f"it is larger than {max_bytes} bytes")
        digest.update(chunk)
        out.write(chunk)
    return size, digest.hexdigest()


def describe_error(exc: Exception, policy: FetchPolicy) -> str:
    """Say in words why the network or the server made the download fail."""
    if isinstance(exc, TimeoutError):
        return f"it timed out (the limit is {policy.timeout:g} seconds for the whole download)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's TLS certificate could not be verified ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"the TLS connection failed ({exc.reason or exc})"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, http.client.IncompleteRead):
        return "the server closed the connection before the end of the body"
    if isinstance(exc, http.client.HTTPException):
        return f"the server's answer is not valid HTTP ({type(exc).__name__})"
    return f"the connection failed ({getattr(exc, 'strerror', None) or exc})"


# --- URLs and hosts ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """One checked URL: where to connect and what to ask for."""

    url: str
    scheme: str
    host: str  # ASCII; an IPv6 address without brackets
    port: int
    path: str
    query: str
    literal: IPAddress | None  # the host, when it is an IP address
    addresses: tuple = field(default=())  # (family, sockaddr) pairs, all checked

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def request_target(self) -> str:
        target = (self.path or "/") + (f"?{self.query}" if self.query else "")
        return quote(target, safe=_TARGET_SAFE)


def _parse_target(url: str) -> _Target:
    """Check the scheme, credentials and host syntax of ``url`` (no DNS)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"it is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = f"the {scheme}: scheme is" if scheme else "URLs without a scheme are"
        raise Refused(f"{shown} not allowed (only http:// and https:// URLs)")
    if "@" in parts.netloc:
        raise Refused("URLs with a user name or password are refused")
    host, literal = _check_host(parts.hostname, bracketed="[" in parts.netloc)
    return _Target(
        url=url,
        scheme=scheme,
        host=host,
        port=port or DEFAULT_PORTS[scheme],
        path=parts.path,
        query=parts.query,
        literal=literal,
    )


def _check_host(hostname: str | None, *, bracketed: bool) -> tuple[str, IPAddress | None]:
    """Return the host in ASCII and, for an IP address, the address; refuse odd spellings."""
    if not hostname:
        raise Refused("the URL has no host")
    if bracketed:
        return hostname, _ipv6_literal(hostname)
    try:
        # IDNA also folds look-alikes such as full-width digits and dots into ASCII.
        host = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused(f"{hostname!r} is not a valid host name") from None
    with contextlib.suppress(ValueError):
        return host, ipaddress.IPv4Address(host)
    if _NUMERIC_LABEL.fullmatch(host.removesuffix(".").rpartition(".")[2]):
        raise Refused(
            f"the host {host} is not a standard IPv4 address "
            "(write four decimal numbers from 0 to 255, like 192.0.2.1)"
        )
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise Refused(f"{host!r} is not a valid host name")
    return host, None


def _ipv6_literal(hostname: str) -> ipaddress.IPv6Address:
    if "%" in hostname:
        raise Refused("IPv6 zone identifiers (%…) are not supported")
    try:
        return ipaddress.IPv6Address(hostname)
    except ValueError:
        raise Refused(f"[{hostname}] is not a valid IPv6 address") from None


# --- addresses -----------------------------------------------------------------------------


def _checked_literal(target: _Target, policy: FetchPolicy) -> _Target:
    if target.literal is not None:
        problem = _address_problem(target.literal, policy.allowed_networks)
        if problem:
            raise Refused(f"the host is {problem}{_OFF_LIMITS}")
    return target


def checked_target(url: str, policy: FetchPolicy) -> _Target:
    """Parse ``url``, resolve its host once and check every address it resolves to."""
    target = _checked_literal(_parse_target(url), policy)
    return replace(target, addresses=_resolve(target, policy))


def _resolve(target: _Target, policy: FetchPolicy) -> tuple:
    try:
        infos = socket.getaddrinfo(
            target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise Refused(f"the host {target.host} cannot be resolved ({reason})") from None
    addresses = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        problem = _address_problem(ipaddress.ip_address(sockaddr[0]), policy.allowed_networks)
        if problem:
            raise Refused(f"{target.host} resolves to {problem}{_OFF_LIMITS}")
        if (family, sockaddr) not in addresses:
            addresses.append((family, sockaddr))
    if not addresses:
        raise Refused(f"the host {target.host} has no IPv4 or IPv6 address")
    return tuple(addresses)


def _address_problem(ip: IPAddress, allowed: tuple[IPNetwork, ...]) -> str | None:
    """Describe why downloads may not reach ``ip`` ("10.0.0.1, a private address"), or None."""
    if any(ip in network for network in allowed):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        standing_for = ip.ipv4_mapped or _nat64_ipv4(ip)
        if standing_for is not None:  # the IPv6 form is only a way to write this IPv4 address
            problem = _address_problem(standing_for, allowed)
            return problem and f"{ip}, which stands for {problem}"
        if ip.sixtofour is not None and (problem := _address_problem(ip.sixtofour, allowed)):
            return f"{ip}, which embeds {problem}"
    kind = _forbidden_kind(ip)
    return kind and f"{ip}, {kind}"


def _nat64_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if any(ip in prefix for prefix in _NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _forbidden_kind(ip: IPAddress) -> str | None:
    """Name the special-purpose range ``ip`` belongs to, or None for a public address."""
    if ip == _CLOUD_METADATA:
        return "the link-local address of cloud metadata services"
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip in _SHARED_ADDRESS_SPACE, "a shared (carrier-grade NAT) address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (getattr(ip, "is_site_local", False), "a site-local address"),
        (not ip.is_global, "not a public address"),
    )
    return next((kind for matches, kind in checks if matches), None)


# --- connections ---------------------------------------------------------------------------


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the download's deadline has passed")
    return left


@functools.cache
def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


def connect_pinned(target: _Target, deadline: float) -> _PinnedConnection:
    """Connect to the first of the target's checked addresses that answers."""
    failure: OSError | None = None
    for family, sockaddr in target.addresses:
        connection = _PinnedConnection(target, family, sockaddr, deadline)
        try:
            connection.connect()
            return connection
        except (TimeoutError, ssl.SSLError):
            connection.close()
            raise
        except OSError as exc:
            connection.close()
            failure = exc
    assert failure is not None  # _resolve never returns an empty tuple
    raise failure


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) to one already-checked address, whatever the host name resolves to by now.

    Every blocking step (connect, TLS handshake, send, each read) gets only the time left
    before the download's deadline.
    """

    def __init__(self, target: _Target, family: int, sockaddr: tuple, deadline: float) -> None:
        super().__init__(sockaddr[0], sockaddr[1])
        self._family = family
        self._sockaddr = sockaddr
        self._deadline = deadline
        self._tls_hostname = target.host if target.scheme == "https" else None
        self.response_class = functools.partial(_DeadlineResponse, deadline=deadline)

    def connect(self) -> None:
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        try:
            sock.settimeout(_remaining(self._deadline))
            sock.connect(self._sockaddr)
            if self._tls_hostname is not None:
                sock.settimeout(_remaining(self._deadline))
                sock = _tls_context().wrap_socket(sock, server_hostname=self._tls_hostname)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def send(self, data) -> None:
        if self.sock is not None:
            self.sock.settimeout(_remaining(self._deadline))
        super().send(data)


class _DeadlineResponse(http.client.HTTPResponse):
    """An HTTPResponse whose every socket read is bounded by the download's deadline.

    http.client reads header lines and chunk sizes byte run by byte run; a server trickling
    one byte at a time would otherwise keep a plain socket timeout from ever firing.
    """

    def __init__(self, sock: socket.socket, *args, deadline: float, **kwargs) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp.close()  # replace http.client's reader by one that honours the deadline
        self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open until closed
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        self._sock.settimeout(_remaining(self._deadline))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()
