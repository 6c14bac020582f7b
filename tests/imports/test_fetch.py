"""Downloading images by URL: SSRF guard, redirects, size and time limits, TLS.

Everything is served from loopback by the tests themselves: a threaded HTTP server on
127.0.0.1 (which the default policy must refuse, that being the point) and, for TLS, one
with a certificate made by ``openssl``. Names ending in ``.test`` are answered by a fake
resolver, so that DNS answers (rebinding, mixed public and private addresses) are under the
test's control; forbidden addresses are refused before any connection is attempted, which
the ``connections`` fixture proves by recording every ``connect``.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network
from urllib.parse import parse_qs, urlsplit

import pytest

from pim.imports import fetch
from pim.imports.fetch import FetchError, FetchPolicy, FetchResult, check_url, fetch_url

LOOPBACK_ONLY = FetchPolicy(allowed_networks=(ip_network("127.0.0.1/32"),))


def make_png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG, built byte by byte (no Pillow needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xc0\x20\x40" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = make_png()


# --- the loopback server -----------------------------------------------------------------


class ImageHandler(BaseHTTPRequestHandler):
    """Every behaviour a supplier's server may show, one path each."""

    protocol_version = "HTTP/1.1"  # needed for chunked bodies

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        path, _, query = self.path.partition("?")
        route = self.ROUTES.get(path.split("/")[1], ImageHandler.not_found)
        try:
            route(self, path, parse_qs(query))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up, as it should

    def log_message(self, *args):
        pass

    def pause(self, seconds: float) -> bool:
        """Sleep, unless the server is stopping; True when it is."""
        return self.server.stopping.wait(seconds)

    def head(self, status=200, length=None, content_type="image/png", **headers):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def image(self, path, query):
        self.head(length=len(PNG))
        self.wfile.write(PNG)

    def untyped(self, path, query):
        self.head(length=len(PNG), content_type=None)
        self.wfile.write(PNG)

    def redirect(self, path, query):
        """/redirect → /image.png (relative Location)."""
        self.head(302, 0, None, Location="image.png")

    def chain(self, path, query):
        """/chain/N redirects N times, then lands on the image."""
        left = int(path.split("/")[2])
        self.head(301, 0, None, Location=f"/chain/{left - 1}" if left > 1 else "/image.png")

    def loop(self, path, query):
        self.head(307, 0, None, Location="/loop/b" if path.endswith("/a") else "/loop/a")

    def to(self, path, query):
        """/to?url=… redirects anywhere (absolute Location)."""
        self.head(302, 0, None, Location=query["url"][0])

    def no_location(self, path, query):
        self.head(302, 0, None)

    def slow_redirect(self, path, query):
        if not self.pause(0.2):
            self.head(303, 0, None, Location=f"/slow-redirect/{path.split('/')[2]}x")

    def huge(self, path, query):
        """No Content-Length: the body ends when the connection closes (after 20 MB)."""
        self.close_connection = True
        self.head(Connection="close")
        for _ in range(320):
            self.wfile.write(b"\0" * 65536)

    def chunked(self, path, query):
        self.head(Transfer_Encoding="chunked")
        for _ in range(320):
            self.wfile.write(b"10000\r\n" + b"\0" * 65536 + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def declares_huge(self, path, query):
        """Announces 1 GB and sends nothing: the client must not wait for it."""
        self.head(length=10**9)
        self.pause(3)
        self.close_connection = True

    def short(self, path, query):
        """Promises 1000 bytes, sends 10 and closes."""
        self.close_connection = True
        self.head(length=1000)
        self.wfile.write(PNG[:10])

    def overlong(self, path, query):
        """Says 100 bytes, sends 5000: the client must take the 100 and no more."""
        self.close_connection = True
        self.head(length=100)
        self.wfile.write(b"\1" * 5000)

    def trickle_body(self, path, query):
        self.head(length=1000)
        for _ in range(1000):
            if self.pause(0.05):
                return
            self.wfile.write(b"\0")

    def trickle_headers(self, path, query):
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(1000):
            if self.pause(0.05):
                return
            self.wfile.write(b"a")

    def not_found(self, path, query):
        self.send_error(404)

    ROUTES = {
        "image.png": image,
        "with%20space.png": image,
        "untyped": untyped,
        "redirect": redirect,
        "chain": chain,
        "loop": loop,
        "to": to,
        "no-location": no_location,
        "slow-redirect": slow_redirect,
        "huge": huge,
        "chunked": chunked,
        "declares-huge": declares_huge,
        "short": short,
        "overlong": overlong,
        "trickle-body": trickle_body,
        "trickle-headers": trickle_headers,
    }


class QuietServer(ThreadingHTTPServer):
    """Tests break connections on purpose; only other errors are worth a traceback."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def start_server(handler=ImageHandler, tls_context=None):
    server = QuietServer(("127.0.0.1", 0), handler)
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    server.requests = []
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    return server, thread


def stop_server(server, thread):
    server.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def server():
    server, thread = start_server()
    yield server
    stop_server(server, thread)


@pytest.fixture
def base(server):
    server.requests.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def connections(monkeypatch):
    """Every address the code under test connects to, in order."""
    made = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        made.append(address[0])
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return made


@pytest.fixture
def fake_dns(monkeypatch):
    """``fake_dns[name] = [answer, answer…]``: successive answers for a ``.test`` name.

    The last answer repeats; ``fake_dns.lookups`` counts the lookups of each name.
    """

    class FakeDNS(dict):
        def __init__(self):
            super().__init__()
            self.lookups: dict[str, int] = {}

    answers = FakeDNS()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if not (isinstance(host, str) and host.endswith(".test")):
            return real_getaddrinfo(host, port, *args, **kwargs)
        count = answers.lookups[host] = answers.lookups.get(host, 0) + 1
        replies = answers[host]
        return [_addrinfo(ip, port) for ip in replies[min(count, len(replies)) - 1]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _addrinfo(ip, port):
    if ":" in ip:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))


def fetch_error(url, policy=LOOPBACK_ONLY) -> tuple[FetchError, io.BytesIO]:
    out = io.BytesIO()
    with pytest.raises(FetchError) as caught:
        fetch_url(url, out, policy)
    return caught.value, out


# --- the SSRF guard ------------------------------------------------------------------------


def test_the_default_policy_refuses_the_loopback_server(base, server, connections):
    error, out = fetch_error(f"{base}/image.png", FetchPolicy())
    assert "127.0.0.1, a loopback address" in str(error)
    assert "VITRINE_FETCH_ALLOWED_NETWORKS" in str(error)
    assert connections == [] and server.requests == [] and out.getvalue() == b""


def test_an_allowed_network_lets_the_download_through(base, server, connections):
    out = io.BytesIO()
    result = fetch_url(f"{base}/image.png", out, LOOPBACK_ONLY)
    assert result == FetchResult(
        url=f"{base}/image.png",
        content_type="image/png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
    )
    assert out.getvalue() == PNG
    assert connections == ["127.0.0.1"]
    path, headers = server.requests[0]
    assert headers["User-Agent"] == "Vitrine/0.1 (+image import)"
    assert headers["Host"] == base.removeprefix("http://")


def test_a_missing_content_type_is_an_empty_string(base):
    assert fetch_url(f"{base}/untyped", io.BytesIO(), LOOPBACK_ONLY).content_type == ""


def test_spaces_in_the_path_are_percent_encoded(base, server):
    result = fetch_url(f"{base}/with space.png", io.BytesIO(), LOOPBACK_ONLY)
    assert result.size == len(PNG)
    assert server.requests[0][0] == "/with%20space.png"


@pytest.mark.parametrize(
    "host",
    ["localhost", "2130706433", "0x7f.1", "127.1", "[::1]", "[::ffff:127.0.0.1]", "127.0.0.2"],
)
def test_loopback_in_any_spelling_is_refused_before_connecting(server, connections, host):
    port = server.server_address[1]
    error, _ = fetch_error(f"http://{host}:{port}/image.png", FetchPolicy())
    assert "loopback" in str(error) or "not a standard IPv4 address" in str(error)
    assert connections == []


def test_every_resolved_address_must_be_allowed(base, fake_dns, connections):
    fake_dns["mixed.test"] = [["127.0.0.1", "10.0.0.1"]]
    port = urlsplit(base).port
    error, _ = fetch_error(f"http://mixed.test:{port}/image.png")
    assert "mixed.test resolves to 10.0.0.1, a private address" in str(error)
    assert connections == []


def test_the_checked_address_is_used_so_dns_rebinding_fails(base, server, fake_dns, connections):
    """The name is looked up once; a second answer pointing elsewhere is never asked for."""
    fake_dns["rebind.test"] = [["127.0.0.1"], ["169.254.169.254"]]
    port = urlsplit(base).port
    result = fetch_url(f"http://rebind.test:{port}/image.png", io.BytesIO(), LOOPBACK_ONLY)
    assert result.size == len(PNG)
    assert fake_dns.lookups["rebind.test"] == 1
    assert connections == ["127.0.0.1"]
    assert server.requests[0][1]["Host"] == f"rebind.test:{port}"


def test_a_name_that_cannot_be_resolved_is_reported(fake_dns):
    fake_dns["nowhere.test"] = [[]]
    error, _ = fetch_error("http://nowhere.test/image.png")
    assert "nowhere.test has no IPv4 or IPv6 address" in str(error)


# --- redirects -----------------------------------------------------------------------------


def test_a_relative_redirect_is_followed(base):
    result = fetch_url(f"{base}/redirect", io.BytesIO(), LOOPBACK_ONLY)
    assert result.url == f"{base}/image.png"
    assert result.sha256 == hashlib.sha256(PNG).hexdigest()


def test_up_to_max_redirects_are_followed(base):
    policy = FetchPolicy(allowed_networks=LOOPBACK_ONLY.allowed_networks, max_redirects=2)
    assert fetch_url(f"{base}/chain/2", io.BytesIO(), policy).url == f"{base}/image.png"
    error, _ = fetch_error(f"{base}/chain/3", policy)
    assert "redirects more than 2 times" in str(error)


def test_a_redirect_loop_is_refused(base):
    error, _ = fetch_error(f"{base}/loop/a")
    assert f"its redirects loop back to {base}/loop/a" in str(error)


def test_a_redirect_without_location_is_refused(base):
    error, _ = fetch_error(f"{base}/no-location")
    assert "answered 302 without a Location header" in str(error)


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://10.0.0.1/x.png", "10.0.0.1, a private address"),
        ("http://127.0.0.2/x.png", "127.0.0.2, a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "stands for 169.254.169.254"),
        ("http://internal.test/x.png", "internal.test resolves to 192.168.1.20"),
        ("file:///etc/passwd", "the file: scheme is not allowed"),
        ("http://admin:s3cret@cdn.test/x.png", "user name or password"),
    ],
)
def test_a_redirect_to_a_forbidden_place_is_refused_before_connecting(
    base, fake_dns, connections, target, why
):
    fake_dns["internal.test"] = [["192.168.1.20"]]
    error, _ = fetch_error(f"{base}/to?url={target}")
    assert error.reason.startswith("it redirects to ") and why in error.reason
    assert "which is refused" in error.reason and "s3cret" not in error.reason
    assert connections == ["127.0.0.1"]  # the first hop only


# --- status, size and time -----------------------------------------------------------------


def test_an_error_status_is_reported(base):
    error, _ = fetch_error(f"{base}/missing.png")
    assert "the server answered 404 Not Found" in str(error)
    assert error.url == f"{base}/missing.png"


def test_a_declared_size_over_the_limit_is_refused_without_reading(base):
    policy = FetchPolicy(allowed_networks=LOOPBACK_ONLY.allowed_networks, max_bytes=1000)
    started = time.monotonic()
    error, out = fetch_error(f"{base}/declares-huge", policy)
    assert "larger than 1000 bytes (Content-Length: 1000000000)" in str(error)
    assert out.getvalue() == b""
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("path", ["huge", "chunked"])
def test_a_body_without_length_stops_at_the_limit(base, path):
    policy = FetchPolicy(allowed_networks=LOOPBACK_ONLY.allowed_networks, max_bytes=100_000)
    error, out = fetch_error(f"{base}/{path}", policy)
    assert str(error).endswith("it is larger than 100000 bytes")
    assert len(out.getvalue()) <= 100_000


def test_a_body_shorter_than_announced_is_an_error(base):
    error, _ = fetch_error(f"{base}/short")
    assert "closed the connection after 10 of 1000 bytes" in str(error)


def test_bytes_beyond_the_announced_length_are_never_read(base):
    result = fetch_url(f"{base}/overlong", io.BytesIO(), LOOPBACK_ONLY)
    assert result.size == 100
    assert result.sha256 == hashlib.sha256(b"\1" * 100).hexdigest()


@pytest.mark.parametrize("path", ["trickle-body", "trickle-headers", "slow-redirect/0"])
def test_the_deadline_covers_the_whole_download(base, path):
    """A byte every 50 ms resets no timeout: the 0.5 s deadline holds, redirects included."""
    policy = FetchPolicy(allowed_networks=LOOPBACK_ONLY.allowed_networks, timeout=0.5)
    started = time.monotonic()
    error, _ = fetch_error(f"{base}/{path}", policy)
    assert "timed out (the limit is 0.5 seconds" in str(error)
    assert time.monotonic() - started < 1


# --- TLS -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for shop.test, made by openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2"]
        + ["-subj", "/CN=shop.test", "-addext", "subjectAltName=DNS:shop.test"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate, fake_dns):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server_names = []
    context.sni_callback = lambda _sock, name, _context: server_names.append(name)
    server, thread = start_server(tls_context=context)
    server.server_names = server_names
    fake_dns["shop.test"] = fake_dns["other.test"] = [["127.0.0.1"]]
    yield server
    stop_server(server, thread)


def test_https_uses_sni_and_verifies_the_certificate(tls_server, certificate, monkeypatch):
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    monkeypatch.setattr(fetch, "_tls_context", lambda: trusting)
    url = f"https://shop.test:{tls_server.server_address[1]}/image.png"
    result = fetch_url(url, io.BytesIO(), LOOPBACK_ONLY)
    assert result.sha256 == hashlib.sha256(PNG).hexdigest()
    assert tls_server.server_names == ["shop.test"]
    assert tls_server.requests[0][1]["Host"] == f"shop.test:{tls_server.server_address[1]}"


def test_https_refuses_a_certificate_for_another_name(tls_server, certificate, monkeypatch):
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    monkeypatch.setattr(fetch, "_tls_context", lambda: trusting)
    error, _ = fetch_error(f"https://other.test:{tls_server.server_address[1]}/image.png")
    assert "TLS certificate could not be verified (Hostname mismatch" in str(error)


def test_https_refuses_an_untrusted_certificate(tls_server):
    error, _ = fetch_error(f"https://shop.test:{tls_server.server_address[1]}/image.png")
    assert "TLS certificate could not be verified" in str(error)


# --- check_url, the error and the policy ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "the file: scheme is not allowed"),
        ("ftp://example.com/a.png", "the ftp: scheme is not allowed"),
        ("gopher://example.com/_GET", "the gopher: scheme is not allowed"),
        ("data:image/png;base64,iVBORw0KGgo=", "the data: scheme is not allowed"),
        ("javascript:alert(1)", "the javascript: scheme is not allowed"),
        ("//example.com/a.png", "URLs without a scheme are not allowed"),
        ("http://user:pw@example.com/a.png", "user name or password"),
        ("http://@example.com/a.png", "user name or password"),
        ("http://2130706433/", "not a standard IPv4 address"),
        ("http://0x7f.1/", "not a standard IPv4 address"),
        ("http://127.1/", "not a standard IPv4 address"),
        ("http://0177.0.0.1/", "not a standard IPv4 address"),
        ("http://１２７．０．０．１/", "127.0.0.1, a loopback address"),
        ("http://127.0.0.1/", "127.0.0.1, a loopback address"),
        ("http://[::1]/", "::1, a loopback address"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://[::]/", "an unspecified address"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata services"),
        ("http://169.254.1.1/", "a link-local address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://10.1.2.3/", "a private address"),
        ("http://172.16.0.1/", "a private address"),
        ("http://192.168.0.1/", "a private address"),
        ("http://[fd00::1]/", "a private address"),
        ("http://100.64.0.1/", "shared (carrier-grade NAT)"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://240.0.0.1/", "a reserved address"),
        ("http://[::ffff:127.0.0.1]/", "which stands for 127.0.0.1, a loopback address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "which stands for 169.254.169.254"),
        ("http://[2002:a00:1::]/", "which embeds 10.0.0.1, a private address"),
        ("http://[fe80::1%25eth0]/", "zone identifiers"),
        ("http://[::1/", "not a valid URL"),
        ("http://example.com:99999/", "not a valid URL"),
        ("http:///no-host.png", "the URL has no host"),
        ("http://-bad-.example/", "not a valid host name"),
        ("http://exa_mple..com/", "not a valid host name"),
    ],
)
def test_check_url_refuses(url, why):
    with pytest.raises(FetchError, match=r"^Could not download .*: ") as caught:
        check_url(url, FetchPolicy())
    assert why in caught.value.reason


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn.example.com/a.png",
        "HTTPS://Images.Example.com:8443/x/y.jpg?w=800",
        "http://93.184.215.14/a.png",
        "http://[2606:4700::1111]/a.png",
        "http://[64:ff9b::808:808]/a.png",
        "http://bücher.example/a.png",
        "http://images_cdn.example.com/a b.png",
    ],
)
def test_check_url_accepts(url):
    check_url(url, FetchPolicy())


def test_allowed_networks_are_exceptions_to_the_guard():
    policy = FetchPolicy.from_config({"FETCH_ALLOWED_NETWORKS": "10.0.0.0/8, fd00::/8"})
    assert policy.allowed_networks == (ip_network("10.0.0.0/8"), ip_network("fd00::/8"))
    check_url("http://10.1.2.3/a.png", policy)
    check_url("http://[::ffff:10.1.2.3]/a.png", policy)
    check_url("http://[fd00::5]/a.png", policy)
    with pytest.raises(FetchError, match="192.168.0.1, a private address"):
        check_url("http://192.168.0.1/a.png", policy)


def test_the_policy_from_an_empty_configuration_is_the_default():
    assert FetchPolicy.from_config({"FETCH_ALLOWED_NETWORKS": ""}) == FetchPolicy()
    assert FetchPolicy.from_config({}) == FetchPolicy()
    assert FetchPolicy.from_config({"FETCH_MAX_BYTES": "1000"}).max_bytes == 1000
    with pytest.raises(ValueError, match="FETCH_MAX_BYTES must be a whole number"):
        FetchPolicy.from_config({"FETCH_MAX_BYTES": "50 MB"})


def test_the_error_hides_credentials_and_survives_pickling():
    error = FetchError("http://user:s3cret@example.com/a.png", "the server answered 500")
    assert str(error) == "Could not download http://example.com/a.png: the server answered 500"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own object, round trip)
    assert (copy.url, copy.reason, str(copy)) == (error.url, error.reason, str(error))
