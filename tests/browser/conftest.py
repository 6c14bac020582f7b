"""Browser tests: a live Vitrine on a committed SQLite database, driven by headless Chromium.

These run once (not per database backend). Without ``/usr/bin/chromium`` or Playwright
they are skipped, unless ``CI`` is set: then a missing browser fails the run.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from factories import SYSTEM, build_catalog, value
from werkzeug.serving import make_server

from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.extensions import db
from pim.search import indexer
from pim.services import products

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EMAIL = "browser@example.com"
PASSWORD = "browser test password"


@dataclass(frozen=True)
class LiveServer:
    """Where the live application answers and who may sign in."""

    url: str
    email: str = EMAIL
    password: str = PASSWORD


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


def seed(session) -> None:
    """An editor, the small test catalogue and one product without a parent model."""
    create_user(session, EMAIL, "editor", PASSWORD, name="Browser Editor")
    build_catalog(session)
    products.create_product(
        session,
        {
            "identifier": "LINEN-SHIRT",
            "family": "tshirts",
            "values": {
                "price": value(
                    [{"amount": "49", "currency": "EUR"}, {"amount": "55", "currency": "USD"}]
                )
            },
        },
        SYSTEM,
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app on a fresh file database (schema from the migrations), served in a thread."""
    base = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{base / 'vitrine.db'}",
            "INSTANCE_PATH": str(base / "instance"),
            "SECRET_KEY": "b" * 32,
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        upgrade_database()
        seed(db.session)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        # whatever the browser tests did, search still matches the database
        drift = indexer.check(db.session.get_bind())
        db.engine.dispose()
    assert drift.clean, drift


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system (Playwright's own downloads are not used)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab on the live server; console errors (CSP violations…) are kept."""
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
