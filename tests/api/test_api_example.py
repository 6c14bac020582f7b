"""docs/api_example.py, the integrator's example, run as a program against a live server
on the demo catalogue: it creates a product with variants, uploads and links a picture and
runs a feed whose output must list the variants. Run twice: the second run changes
nothing (idempotent writes, duplicate upload answered with the stored asset)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from pim import create_app
from pim.auth import create_user, issue_token
from pim.cli import upgrade_database
from pim.demo import load_demo
from pim.extensions import db
from pim.models import Product, ProductModel, Version
from pim.queue import current_queue

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "api_example.py"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A live Vitrine on a committed SQLite file with a small demo catalogue, its job
    worker in a thread (as ``vitrine serve`` runs it)."""
    base = tmp_path_factory.mktemp("example")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{base / 'vitrine.db'}",
            "INSTANCE_PATH": str(base / "instance"),
            "SECRET_KEY": "e" * 32,
            # the embedded setup of `vitrine serve`: a SQLite queue and a worker thread
            "QUEUE_URL": f"sqlite:///{base / 'queue.db'}",
            "SEARCH_URL": "memory://",
        }
    )
    with app.app_context():
        upgrade_database()
        load_demo(db.session, products=12)
        admin = create_user(db.session, "integrator@example.com", "admin", "integrator-pw")
        token = issue_token(db.session, admin, name="example")
        db.session.commit()
        consumer = current_queue().consumer()
        consumer.start()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", token
    consumer.stop(graceful=True)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


def run_example(url: str, token: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--url", url, "--token", token, "--feed", "csv"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_example_client_creates_uploads_and_runs_a_feed(served):
    app, url, token = served
    first = run_example(url, token)
    assert first.returncode == 0, first.stdout + first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == (
        "product model EX-TEE with EX-TEE-NAVY and variants "
        "EX-TEE-NAVY-S, EX-TEE-NAVY-M, EX-TEE-NAVY-L"
    )
    assert lines[1].startswith("picture asset ") and lines[1].endswith(
        "linked to EX-TEE-NAVY as its main image"
    )
    assert lines[2].startswith("feed csv: run ") and " succeeded, " in lines[2]
    assert lines[3] == "the feed's output lists EX-TEE-NAVY-S, EX-TEE-NAVY-M, EX-TEE-NAVY-L"

    with app.app_context():
        variants = db.session.scalars(
            select(Product).join(ProductModel).where(ProductModel.code == "EX-TEE-NAVY")
        ).all()
        assert sorted(p.identifier for p in variants) == [
            "EX-TEE-NAVY-L",
            "EX-TEE-NAVY-M",
            "EX-TEE-NAVY-S",
        ]
        versions = db.session.scalar(select(func.count()).select_from(Version))
        db.session.remove()

    second = run_example(url, token)
    assert second.returncode == 0, second.stdout + second.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Version)) == versions
        db.session.remove()
