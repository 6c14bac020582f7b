"""Screenshots of the main screens for the README, into ``docs/screenshots/``.

Starts Vitrine on a temporary instance with the demo catalogue (the same as
``./manage.sh run``; the index and the pictures' renditions are made before serving, as
no worker runs), signs in as an administrator in headless Debian Chromium and saves
one PNG per screen::

    .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

from dam.context import current_media
from dam.models import Asset
from dam.services.renditions import make_renditions
from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.demo import load_demo
from pim.extensions import db
from pim.models import Product
from pim.search import indexer

OUT = Path(__file__).resolve().parent / "screenshots"
EMAIL, PASSWORD = "screens@vitrine.local", "screenshot password 1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def serve(folder: Path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'vitrine.db'}",
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "s" * 32,
        }
    )
    with app.app_context():
        upgrade_database()
        load_demo(db.session)
        create_user(db.session, EMAIL, "admin", PASSWORD, name="Screenshots")
        db.session.commit()
        indexer.reindex(db.session.get_bind())
        media = current_media()
        for asset_id in db.session.scalars(select(Asset.id)).all():
            make_renditions(db.session, media, asset_id)
        db.session.commit()
        product = db.session.scalars(select(Product).order_by(Product.id)).first()
        first = (product.identifier, product.parent.parent.code)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, first


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        server, (identifier, model) = serve(Path(scratch))
        base = f"http://127.0.0.1:{server.server_port}"
        screens = [
            ("dashboard", "/"),
            ("products-search", "/products?q=completeness:ecommerce/de_DE<100+color:black"),
            ("product", f"/products/{identifier}?scope=ecommerce&locale=fr_FR&compare=en_US"),
            ("model-variants", f"/models/{model}"),
            ("assets", "/assets/"),
            ("imports", "/imports"),
            ("settings", "/settings"),
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 860})
            page.goto("/login")
            page.get_by_label("E-mail").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            for name, path in screens:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}.png"))
                print(f"docs/screenshots/{name}.png")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
