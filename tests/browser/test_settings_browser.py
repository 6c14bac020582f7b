"""End to end, as an administrator: create a select attribute with two options, require it
in a family for a channel, and move a category by dragging it in the tree."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pytest
from factories import build_catalog
from sqlalchemy import select
from werkzeug.serving import make_server

from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.extensions import db
from pim.models import Attribute, Category, Family
from pim.services import structure

pytestmark = pytest.mark.browser

EMAIL = "admin@example.com"
PASSWORD = "admin test password"


@dataclass(frozen=True)
class AdminServer:
    """The live app, where an administrator may sign in."""

    url: str
    app: object


@pytest.fixture
def admin_server(tmp_path):
    """The app on a fresh file database with the test catalogue, served in a thread."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'vitrine.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "s" * 32,
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        upgrade_database()
        create_user(db.session, EMAIL, "admin", PASSWORD, name="Browser Admin")
        build_catalog(db.session)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="settings-server", daemon=True)
    thread.start()
    yield AdminServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def tab(browser, admin_server):
    """A browser tab on the server; console errors (CSP violations…) are kept."""
    context = browser.new_context(base_url=admin_server.url)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def _stored(app, query):
    with app.app_context():
        db.session.expire_all()
        return query(db.session)


def test_admin_builds_structure_and_drags_a_category(tab, admin_server):
    from playwright.sync_api import expect

    tab.goto("/settings")
    expect(tab).to_have_url(re.compile(r"/login\?next="))
    tab.get_by_label("E-mail").fill(EMAIL)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Settings", exact=True)).to_be_visible()

    # a select attribute with two options, one with a swatch
    tab.get_by_role("link", name="Attributes", exact=True).click()
    tab.get_by_role("link", name="New attribute").click()
    tab.get_by_label("Code", exact=True).fill("fit")
    tab.get_by_label("Type", exact=True).select_option("simple_select")
    expect(tab.get_by_label("Maximum length")).to_be_hidden()  # rules of other types hide
    tab.get_by_label("Group", exact=True).select_option("product")
    tab.get_by_label("en_US", exact=True).fill("Fit")
    tab.get_by_role("button", name="Create the attribute").click()
    expect(tab.get_by_role("status")).to_contain_text("Created the attribute fit.")
    for code, label, swatch in (("slim", "Slim", "#112233"), ("loose", "Loose", "")):
        tab.get_by_label("Option code").fill(code)
        tab.get_by_label("Label en_US").fill(label)
        tab.get_by_label("Swatch colour").fill(swatch)
        tab.get_by_role("button", name="Add the option").click()
        expect(tab.get_by_role("status")).to_contain_text(f"Added the option {code} to fit.")
    options = tab.locator(".options-table tbody tr")
    expect(options).to_have_count(2)
    expect(options.first.locator("svg.swatch rect")).to_have_attribute("fill", "#112233")
    expect(tab.get_by_label("slim in en_US")).to_have_value("Slim")

    # required in the family tshirts for the ecommerce channel
    tab.goto("/settings/families/tshirts")
    tab.get_by_role("checkbox", name="fit in the family").check()
    tab.get_by_role("checkbox", name="fit required in ecommerce").check()
    tab.get_by_role("button", name="Save").click()
    expect(tab.get_by_role("status")).to_contain_text("Saved the family tshirts.")
    expect(tab.get_by_role("checkbox", name="fit required in ecommerce")).to_be_checked()
    expect(tab.get_by_role("checkbox", name="fit required in print")).not_to_be_checked()

    # drag "men" onto "women": the page reloads with men under women
    tab.goto("/settings/categories")
    expect(tab.locator("[data-drop-root]")).to_be_visible()
    tab.locator("#category-men > .tree-row").drag_to(tab.locator("#category-women > .tree-row"))
    expect(tab.get_by_role("status").first).to_contain_text("Moved men under women.")
    expect(tab.locator("#category-women #category-men")).to_be_visible()

    fit = _stored(
        admin_server.app,
        lambda s: [
            (o.code, o.labels, o.swatch)
            for o in s.scalar(select(Attribute).where(Attribute.code == "fit")).options
        ],
    )
    assert fit == [("slim", {"en_US": "Slim"}, "#112233"), ("loose", {"en_US": "Loose"}, None)]
    family = _stored(
        admin_server.app,
        lambda s: structure.family_state(s.scalar(select(Family).where(Family.code == "tshirts"))),
    )
    assert "fit" in family["requirements"]["ecommerce"]
    assert "fit" not in family["requirements"]["print"]
    parent = _stored(
        admin_server.app,
        lambda s: s.scalar(select(Category).where(Category.code == "men")).parent.code,
    )
    assert parent == "women"
    assert tab.console_errors == []
