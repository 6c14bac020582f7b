"""REST API benchmark: NDJSON batch upsert of ``--products`` products (default 100,000),
then single-product GET and list-page latencies at that size, over real HTTP.

The server runs as in production, in its own processes:

* ``--server embedded``: ``vitrine serve`` (werkzeug, threaded, job worker in-process;
  the embedded defaults: SQLite, Whoosh, SQLite queue) — the README's run command;
* ``--server gunicorn``: ``gunicorn -w WORKERS wsgi:app`` plus a ``vitrine worker``, with
  the search index and the queue on PostgreSQL / Redis.

Baselines, measured in this same run:

* upsert: the same rows written by one SQLAlchemy Core ``INSERT`` per 1,000 rows into a
  scratch table of the same shape in the same database (no validation, no history, no
  index update: the floor of any write path);
* GET: a bare Flask app answering a stored JSON document of the same size, served by the
  same kind of server with the same number of workers.

Rate limits are turned off for the run (``VITRINE_API_RATE_LIMIT=off``).

    .venv/bin/python bench/bench_api.py --server embedded
    .venv/bin/python bench/bench_api.py --server gunicorn --workers 4 \\
        --database-url postgresql://127.0.0.1/test
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from benchlib import (
    create_database,
    drop_database,
    git_revision,
    machine,
    make_app,
    percentiles,
    postgres_version,
)
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, create_engine, func, select

from pim.api.pagination import encode_cursor
from pim.auth import create_user, issue_token
from pim.config import sqlalchemy_url
from pim.demo import build_structure
from pim.extensions import db
from pim.models import Product
from pim.services.actors import Actor

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BATCH = 1000
COLORS = ["black", "white", "navy", "red", "ecru", "grey"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped with exit code {process.returncode}")
        try:
            requests.get(url, timeout=30)
            return
        except (requests.ConnectionError, requests.Timeout):  # still starting
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def payload(n: int, rng: random.Random) -> dict:
    color = rng.choice(COLORS)
    return {
        "identifier": f"API-{n:07d}",
        "family": "tshirts",
        "categories": [],
        "values": {
            "name": [
                {"locale": "en_US", "scope": None, "data": f"Bench tee {n} in {color}"},
                {"locale": "fr_FR", "scope": None, "data": f"T-shirt banc {n} {color}"},
            ],
            "short_description": [
                {"locale": "en_US", "scope": None, "data": "A tee written by the API benchmark."}
            ],
            "color": [{"locale": None, "scope": None, "data": color}],
            "price": [
                {
                    "locale": None,
                    "scope": None,
                    "data": [{"amount": f"{10 + n % 90}.90", "currency": "EUR"}],
                }
            ],
        },
    }


def prepare(url: str, folder: Path) -> tuple[str, Path]:
    """Migrate, create the demo structure (no products) and an admin token."""
    app = make_app(url, folder)
    with app.app_context():
        build_structure(db.session, Actor.system())
        user = create_user(db.session, "bench-api@vitrine.local", "admin", "bench-password")
        token = issue_token(db.session, user, name="bench")
        db.session.commit()
        instance = Path(app.instance_path)
        db.engine.dispose()
    return token, instance


def server_env(url: str, instance: Path, gunicorn: bool) -> dict:
    env = {
        **os.environ,
        "VITRINE_DATABASE_URL": url,
        "VITRINE_INSTANCE_PATH": str(instance),
        "VITRINE_SECRET_KEY": "bench-" + "x" * 26,
        "VITRINE_API_RATE_LIMIT": "off",
    }
    if gunicorn:
        env["VITRINE_QUEUE_URL"] = "redis://127.0.0.1:6379/13"
        if url.startswith("postgresql"):
            env["VITRINE_SEARCH_URL"] = url
    return env


def start_vitrine(args, env: dict, port: int) -> list[subprocess.Popen]:
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "ab")  # noqa: SIM115
    quiet = {"stdout": log, "stderr": log, "cwd": ROOT, "env": env}
    if args.server == "embedded":
        command = [str(VENV_BIN / "vitrine"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        return [subprocess.Popen(command, **quiet)]
    gunicorn = [
        str(VENV_BIN / "gunicorn"),
        "-w",
        str(args.workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "300",
        "wsgi:app",
    ]
    worker = [str(VENV_BIN / "vitrine"), "worker"]
    return [subprocess.Popen(gunicorn, **quiet), subprocess.Popen(worker, **quiet)]


def upsert(base: str, token: str, products: int, clients: int) -> tuple[float, dict]:
    rng = random.Random(7)
    bodies = []
    for start in range(0, products, BATCH):
        lines = (json.dumps(payload(n, rng)) for n in range(start, min(products, start + BATCH)))
        bodies.append(("\n".join(lines) + "\n").encode())
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}

    def send(body: bytes) -> None:
        with requests.Session() as session:
            answer = session.patch(f"{base}/api/v1/products", data=body, headers=headers)
            answer.raise_for_status()
            counts: dict[int, int] = {}
            for line in answer.text.splitlines():
                status = json.loads(line)["status_code"]
                counts[status] = counts.get(status, 0) + 1
        with lock:
            for status, count in counts.items():
                statuses[status] = statuses.get(status, 0) + count

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, bodies))
    return time.perf_counter() - started, statuses


def core_insert(url: str, products: int) -> float:
    """The floor: the same rows by bare Core INSERTs of 1,000 into a scratch table."""
    engine = create_engine(sqlalchemy_url(url))
    metadata = MetaData()
    table = Table(
        "bench_api_baseline",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("identifier", String(255), unique=True),
        Column("family", String(100)),
        Column("values", JSON),
    )
    metadata.create_all(engine)
    rng = random.Random(7)
    started = time.perf_counter()
    with engine.begin() as connection:
        for start in range(0, products, BATCH):
            rows = []
            for n in range(start, min(products, start + BATCH)):
                item = payload(n, rng)
                rows.append(
                    {
                        "identifier": item["identifier"],
                        "family": item["family"],
                        "values": item["values"],
                    }
                )
            connection.execute(table.insert(), rows)
    elapsed = time.perf_counter() - started
    metadata.drop_all(engine)
    engine.dispose()
    return elapsed


def timed_gets(base: str, paths: list[str], token: str | None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    samples = []
    with requests.Session() as session:
        for path in paths[:20]:  # warm up
            session.get(base + path, headers=headers)
        for path in paths:
            started = time.perf_counter()
            answer = session.get(base + path, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"GET {path} answered {answer.status_code}: {answer.text[:200]}")
    return percentiles(samples)


BARE_APP = textwrap.dedent(
    """
    import json, os
    from flask import Flask, Response
    app = Flask(__name__)
    DOC = open(os.environ["BENCH_DOC"], "rb").read()

    @app.get("/doc/<key>")
    def doc(key):
        return Response(DOC, mimetype="application/json")
    """
)


def bare_baseline(args, folder: Path, document: bytes, requests_count: int) -> dict:
    """GET latency of a bare Flask app answering a stored document, same kind of server."""
    (folder / "bare_app.py").write_text(BARE_APP)
    (folder / "doc.json").write_bytes(document)
    env = {**os.environ, "BENCH_DOC": str(folder / "doc.json")}
    port = free_port()
    if args.server == "embedded":
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); from bare_app import app; "
            "from werkzeug.serving import run_simple; "
            "run_simple('127.0.0.1', int(sys.argv[2]), app, threaded=True)"
        )
        command = [sys.executable, "-c", code, str(folder), str(port)]
    else:
        command = [str(VENV_BIN / "gunicorn"), "-w", str(args.workers), "-b",
                   f"127.0.0.1:{port}", "--chdir", str(folder), "bare_app:app"]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/doc/x", process)
        return timed_gets(base, [f"/doc/{n}" for n in range(requests_count)], None)
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite file)")
    parser.add_argument("--server", choices=["embedded", "gunicorn"], default="embedded")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--clients", type=int, default=0, help="parallel clients (default: workers)"
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500, help="timed GETs per case")
    args = parser.parse_args()
    clients = args.clients or (args.workers if args.server == "gunicorn" else 2)
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-api-") as tmp:
        folder = Path(tmp)
        url = create_database(args.database_url, folder)
        try:
            run(args, folder, url, clients)
        finally:
            drop_database(args.database_url, url)


def run(args, folder: Path, url: str, clients: int) -> None:
    print(f"Vitrine {git_revision()} — {machine()}")
    print(f"{postgres_version(url)}, server {args.server}", end="")
    print(f" ({args.workers} workers)" if args.server == "gunicorn" else "", end="")
    print(f", {clients} clients, batches of {BATCH}")
    token, instance = prepare(url, folder)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = start_vitrine(args, server_env(url, instance, args.server == "gunicorn"), port)
    try:
        wait_until_up(base + "/api/v1/openapi.json", processes[0])
        elapsed, statuses = upsert(base, token, args.products, clients)
        rate = args.products / elapsed
        if statuses != {201: args.products}:
            raise SystemExit(f"not every line was created: {statuses}")
        print(f"  batch upsert: {args.products} products in {elapsed:.1f} s = {rate:,.0f}/s "
              f"(statuses {statuses})")  # fmt: skip
        engine = create_engine(sqlalchemy_url(url))
        with engine.connect() as connection:
            count = connection.scalar(select(func.count()).select_from(Product.__table__))
            ids = connection.execute(select(Product.id)).scalars().all()
        engine.dispose()
        assert count >= args.products, count
        again, statuses = upsert(base, token, min(args.products, 5 * BATCH), clients)
        print(f"  same batches again (no change): {min(args.products, 5 * BATCH) / again:,.0f}/s "
              f"(statuses {statuses})")  # fmt: skip
        rng = random.Random(3)
        singles = [f"/api/v1/products/API-{rng.randrange(args.products):07d}"
                   for _ in range(args.requests)]  # fmt: skip
        get = timed_gets(base, singles, token)
        pages = [f"/api/v1/products?limit=100&cursor={encode_cursor(rng.choice(ids))}"
                 for _ in range(args.requests)]  # fmt: skip
        lists = timed_gets(base, pages, token)
        document = requests.get(
            base + singles[0], headers={"Authorization": f"Bearer {token}"}, timeout=60
        ).content
    finally:
        for process in processes:
            stop(process)
    floor = core_insert(url, args.products)
    bare = bare_baseline(args, folder, document, args.requests)
    print(f"  baseline Core INSERT of the same rows: {args.products / floor:,.0f}/s "
          f"→ the API reaches {rate / (args.products / floor):.2f} of it")  # fmt: skip
    print(f"  GET product: p50 {get['p50']:.1f} ms, p95 {get['p95']:.1f} ms, "
          f"max {get['max']:.0f} ms ({len(document)} bytes)")  # fmt: skip
    print(f"  bare Flask GET of the same document: p50 {bare['p50']:.1f} ms, "
          f"p95 {bare['p95']:.1f} ms → ratio p95 {get['p95'] / bare['p95']:.1f}")  # fmt: skip
    print(f"  list page (100 products, random cursor) at {count:,} products: "
          f"p50 {lists['p50']:.1f} ms, p95 {lists['p95']:.1f} ms, "
          f"max {lists['max']:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
