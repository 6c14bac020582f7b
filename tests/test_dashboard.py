"""The dashboard (``/``): what each role sees, that the figures follow the database, where
the links lead, escaping, the review actions, the plugin panels and the query count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from factories import SYSTEM, value
from markupsafe import Markup
from sqlalchemy import event, select

from dam.models import Asset, AssetLink, AssetStatus
from pim.extensions import db
from pim.models import Completeness, ImportJob, Product
from pim.services import product_models, products
from pim.services.actors import Actor
from pim.services.structure_cache import Structure

XSS = "<img src=x onerror=alert(1)>"


# --- helpers -----------------------------------------------------------------------------


def _dashboard(client):
    response = client.get("/")
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def _cells(tree, table: str, channel: str, locale: str) -> dict:
    """The completeness table's figures of one channel and locale."""
    (row,) = tree.xpath(
        f'//table[@data-table="{table}"]//tr[@data-channel="{channel}"][@data-locale="{locale}"]'
    )
    return {
        "share": row.xpath("string(td[@data-share])"),
        "average": row.xpath("string(td[@data-average])"),
        "text": row.text_content(),
        "links": row.xpath(".//a/@href"),
    }


def _expected(session, channel: str, locale: str) -> tuple[int, int, int, int]:
    """(products, complete, share %, average %) computed the slow way, from the rows."""
    structure = Structure.current(session)
    ratios = session.scalars(
        select(Completeness.ratio)
        .join(Product, Product.id == Completeness.product_id)
        .where(
            Product.enabled.is_(True),
            Completeness.channel_id == structure.channels[channel].id,
            Completeness.locale_id == structure.locales[locale],
        )
    ).all()
    complete = sum(1 for ratio in ratios if ratio == 100)
    share = complete * 100 // len(ratios) if ratios else 0
    average = round(sum(ratios) / len(ratios)) if ratios else 0
    return len(ratios), complete, share, average


def _incomplete(session, channel: str, locale: str) -> set[str]:
    structure = Structure.current(session)
    found = session.scalars(
        select(Product.identifier)
        .join(Completeness, Completeness.product_id == Product.id)
        .where(
            Completeness.channel_id == structure.channels[channel].id,
            Completeness.locale_id == structure.locales[locale],
            Completeness.ratio < 100,
        )
    )
    return set(found)


def _query(href: str) -> tuple[str, dict]:
    parts = urlsplit(href)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def _listed(client, href: str) -> set[str]:
    """The identifiers the product list shows at ``href``."""
    response = client.get(href)
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    links = tree.xpath('//table//td/a[starts-with(@href, "/products/")]/text()')
    return {text.strip() for text in links}


def _submit(session, product, user):
    products.change_workflow(session, product, "in_review", Actor.for_user(user, "ui"))
    session.flush()


def _standalone(session, identifier, **fields):
    return products.create_product(
        session, {"identifier": identifier, "family": "tshirts", **fields}, SYSTEM
    )


# --- completeness --------------------------------------------------------------------------


def test_completeness_figures_follow_the_database(catalog, db_session, logged_in_client):
    client = logged_in_client("viewer")
    for channel, locale in (("ecommerce", "en_US"), ("ecommerce", "fr_FR"), ("print", "fr_FR")):
        count, complete, share, average = _expected(db_session, channel, locale)
        cells = _cells(_dashboard(client), "completeness", channel, locale)
        assert cells["share"] == f"{share}%" and cells["average"] == f"{average}%"
        assert f"{complete} of {count}" in cells["text"]
    assert _cells(_dashboard(client), "completeness", "print", "fr_FR")["share"] == "0%"

    # a French name on the root model completes both variants for print / fr_FR
    model = catalog.model("TS-CREW")
    product_models.update_model(
        db_session, model, {"values": {"name": value("Col rond", "fr_FR")}}, SYSTEM
    )
    db_session.flush()
    assert _expected(db_session, "print", "fr_FR") == (2, 2, 100, 100)
    cells = _cells(_dashboard(client), "completeness", "print", "fr_FR")
    assert (cells["share"], cells["average"]) == ("100%", "100%")
    assert "2 of 2" in cells["text"]

    # disabled products do not count
    products.update_product(
        db_session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM
    )
    cells = _cells(_dashboard(client), "completeness", "print", "fr_FR")
    assert "1 of 1" in cells["text"]


def test_every_channel_locale_has_a_bar_linking_to_its_incomplete_products(
    catalog, db_session, logged_in_client
):
    client = logged_in_client("editor")
    tree = _dashboard(client)
    bars = tree.xpath('//svg[@data-chart="completeness"]//a')
    pairs = [(bar.get("data-channel"), bar.get("data-locale")) for bar in bars]
    structure = Structure.current(db_session)
    assert pairs == [
        (code, locale)
        for code in sorted(structure.channels)
        for locale in structure.channels[code].locales
    ]
    assert len(pairs) == 4
    for bar, (channel, locale) in zip(bars, pairs, strict=True):
        path, args = _query(bar.get("href"))
        assert path == "/products"
        assert args == {
            "scope": channel,
            "locale": locale,
            "q": f"completeness:{channel}/{locale}<100",
        }
        assert "incomplete products" in bar.get("aria-label")
        assert _listed(client, bar.get("href")) == _incomplete(db_session, channel, locale)
    # the table repeats the figures and the links, for screen readers and keyboards
    assert _cells(tree, "completeness", "print", "fr_FR")["links"] == [bars[-1].get("href")]


def test_no_channel_yet_says_so(db_session, logged_in_client):
    tree = _dashboard(logged_in_client("editor"))
    assert "No channel yet" in tree.text_content()
    assert tree.xpath('//svg[@data-chart="completeness"]') == []


def test_the_chart_needs_no_script_and_no_style_attribute(catalog, logged_in_client):
    response = logged_in_client("editor").get("/")
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    assert tree.xpath("//script") == []
    assert tree.xpath("//*[@style]") == []
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- workflow ------------------------------------------------------------------------------


def _status_counts(tree) -> dict:
    return {
        link.get("data-status"): int(link.xpath("string(.//strong)"))
        for link in tree.xpath("//a[@data-status]")
    }


def test_status_counts_follow_the_database_and_link_to_the_filtered_list(
    catalog, db_session, logged_in_client
):
    client = logged_in_client("viewer")
    assert _status_counts(_dashboard(client)) == {"draft": 2, "in_review": 0, "approved": 0}
    products.change_workflow(db_session, catalog.product("TS-CREW-RED-S"), "in_review", SYSTEM)
    _standalone(db_session, "APPROVED-1", workflow_status="approved")
    tree = _dashboard(client)
    assert _status_counts(tree) == {"draft": 1, "in_review": 1, "approved": 1}
    (link,) = tree.xpath('//a[@data-status="in_review"]')
    assert _query(link.get("href")) == ("/products", {"status": "in_review"})
    assert _listed(client, link.get("href")) == {"TS-CREW-RED-S"}


# --- my tasks: review ----------------------------------------------------------------------


def test_reviewers_see_the_queue_newest_first_with_who_submitted(
    catalog, db_session, make_user, logged_in_client
):
    author = make_user(role="editor", email="author@example.com")
    _submit(db_session, catalog.product("TS-CREW-RED-S"), author)
    model = catalog.model("TS-CREW-RED")
    product_models.update_model(
        db_session, model, {"workflow_status": "in_review"}, Actor.for_user(author, "ui")
    )
    _standalone(db_session, "IMPORTED-1", workflow_status="in_review")  # no submitter known
    db_session.flush()
    tree = _dashboard(logged_in_client("editor"))
    items = tree.xpath('//ul[@data-queue="review"]/li')
    keys = [item.get("data-key") for item in items]
    assert keys[0] == "IMPORTED-1"  # created last
    assert set(keys) == {"TS-CREW-RED-S", "TS-CREW-RED", "IMPORTED-1"}
    assert tree.xpath("string(//*[@data-review-total]/@data-review-total)") == "3"
    by_key = {item.get("data-key"): item for item in items}
    assert "submitted by author@example.com" in by_key["TS-CREW-RED-S"].text_content()
    assert "model" in by_key["TS-CREW-RED"].text_content()
    assert by_key["TS-CREW-RED"].xpath(".//a/@href")[0] == "/models/TS-CREW-RED"
    assert by_key["TS-CREW-RED-S"].xpath(".//a/@href")[0] == "/products/TS-CREW-RED-S"
    assert by_key["TS-CREW-RED-S"].xpath(".//button/@value") == ["approve", "send_back"]


def test_approve_from_the_queue(catalog, db_session, make_user, logged_in_client):
    product = catalog.product("TS-CREW-RED-S")
    _submit(db_session, product, make_user())
    reviewer = logged_in_client("admin")
    response = reviewer.post(
        "/dashboard/review",
        data={"resource": "product", "key": product.identifier, "decision": "approve"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"
    db_session.refresh(product)
    assert product.workflow_status == "approved"
    tree = _dashboard(reviewer)
    assert "Approved: TS-CREW-RED-S." in tree.text_content()
    assert tree.xpath('//ul[@data-queue="review"]/li') == []
    # deciding again is refused with a message, nothing changes
    again = reviewer.post(
        "/dashboard/review",
        data={"resource": "product", "key": product.identifier, "decision": "send_back"},
        follow_redirects=True,
    )
    assert "no longer in review (now approved)" in again.get_data(as_text=True)
    db_session.refresh(product)
    assert product.workflow_status == "approved"


def test_sent_back_items_show_on_their_authors_dashboard_with_the_comment(
    catalog, db_session, make_user, login, client, logged_in_client
):
    author = make_user(role="editor", email="author@example.com")
    product = catalog.product("TS-CREW-RED-M")
    _submit(db_session, product, author)
    reviewer = logged_in_client("editor", email="reviewer@example.com")
    response = reviewer.post(
        "/dashboard/review",
        data={
            "resource": "product",
            "key": product.identifier,
            "decision": "send_back",
            "comment": "Add the French name " + XSS,
        },
    )
    assert response.status_code == 303
    db_session.refresh(product)
    assert product.workflow_status == "draft"

    login(client, author)
    page = client.get("/").get_data(as_text=True)
    tree = lxml.html.fromstring(page)
    (item,) = tree.xpath('//ul[@data-queue="sent-back"]/li')
    assert item.get("data-key") == "TS-CREW-RED-M"
    assert "sent back by reviewer@example.com" in item.text_content()
    assert "Add the French name " + XSS in item.text_content()
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    # the reviewer did not submit it: nothing sent back to them
    assert _dashboard(reviewer).xpath('//ul[@data-queue="sent-back"]/li') == []

    # submitted again: waiting for review, no longer "sent back"
    _submit(db_session, product, author)
    assert _dashboard(client).xpath('//ul[@data-queue="sent-back"]/li') == []


def test_an_author_withdrawing_their_own_item_is_not_sent_back(
    catalog, db_session, make_user, login, client
):
    author = make_user()
    product = catalog.product("TS-CREW-RED-S")
    _submit(db_session, product, author)
    products.change_workflow(db_session, product, "draft", Actor.for_user(author, "ui"))
    login(client, author)
    assert _dashboard(client).xpath('//ul[@data-queue="sent-back"]/li') == []


def test_product_labels_are_escaped(catalog, db_session, make_user, logged_in_client):
    product = _standalone(db_session, "XSS-1", values={"name": value(XSS, "en_US")})
    _submit(db_session, product, make_user())
    response = logged_in_client("editor").get("/")
    page = response.get_data(as_text=True)
    (item,) = lxml.html.fromstring(page).xpath('//li[@data-key="XSS-1"]')
    assert XSS in item.xpath("string(.//*[@class='dash-label'])")
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_review_refuses_unknown_items_and_decisions(catalog, logged_in_client):
    client = logged_in_client("editor")
    data = {"resource": "product", "key": "NOPE", "decision": "approve"}
    assert client.post("/dashboard/review", data=data).status_code == 404
    data = {"resource": "asset", "key": "TS-CREW-RED-S", "decision": "approve"}
    assert client.post("/dashboard/review", data=data).status_code == 404
    data = {"resource": "product", "key": "TS-CREW-RED-S", "decision": "delete"}
    page = client.post("/dashboard/review", data=data, follow_redirects=True)
    assert "choose approve or send back" in page.get_data(as_text=True)


# --- my tasks: translators -----------------------------------------------------------------


def _missing_localizable(session, channel: str, locale: str) -> int:
    """Enabled products missing a localizable value, computed the slow way."""
    structure = Structure.current(session)
    localizable = {c for c, a in structure.attributes.items() if a.localizable}
    rows = session.scalars(
        select(Completeness)
        .join(Product, Product.id == Completeness.product_id)
        .where(
            Product.enabled.is_(True),
            Completeness.channel_id == structure.channels[channel].id,
            Completeness.locale_id == structure.locales[locale],
        )
    ).all()
    return sum(1 for row in rows if localizable & set(row.missing))


def test_translators_see_what_is_missing_in_their_locales(catalog, db_session, logged_in_client):
    _standalone(db_session, "FR-DONE", values={"name": value("Chemise", "fr_FR")})
    client = logged_in_client("translator")
    client.user.locales = ["fr_FR"]
    db_session.flush()
    tree = _dashboard(client)
    rows = tree.xpath('//table[@data-table="translations"]//tr[@data-locale]')
    assert [(r.get("data-locale"), r.get("data-channel")) for r in rows] == [
        ("fr_FR", "ecommerce"),
        ("fr_FR", "print"),
    ]
    for row in rows:
        expected = _missing_localizable(db_session, row.get("data-channel"), "fr_FR")
        assert row.xpath("string(td[3])") == str(expected)
    # print needs only "name": FR-DONE has it, the two variants do not
    assert rows[1].xpath("string(td[3])") == "2"
    path, args = _query(rows[1].xpath(".//a/@href")[0])
    assert (path, args["q"]) == ("/products", "completeness:print/fr_FR<100")

    model = catalog.model("TS-CREW")
    product_models.update_model(
        db_session, model, {"values": {"name": value("Col", "fr_FR")}}, SYSTEM
    )
    tree = _dashboard(client)
    (row,) = tree.xpath('//table[@data-table="translations"]//tr[@data-channel="print"]')
    assert row.xpath("string(td[3])") == "0"


def test_translators_without_locales_see_every_channel_locale(catalog, logged_in_client):
    tree = _dashboard(logged_in_client("translator"))
    rows = tree.xpath('//table[@data-table="translations"]//tr[@data-locale]')
    assert {r.get("data-locale") for r in rows} == {"de_DE", "en_US", "fr_FR"}
    assert len(rows) == 4


def _translation_counts(tree) -> dict:
    rows = tree.xpath('//table[@data-table="translation-status"]//tr[@data-locale]')
    return {
        r.get("data-locale"): tuple(
            r.xpath(f"string(td[@data-state='{s}'])") for s in ("missing", "outdated")
        )
        for r in rows
    }


def test_translation_status_counts_missing_and_outdated_products_per_locale(
    catalog, db_session, logged_in_client
):
    names = [
        {"locale": "en_US", "scope": None, "data": "Crew-neck T-shirt"},
        {"locale": "fr_FR", "scope": None, "data": "T-shirt col rond"},
        {"locale": "de_DE", "scope": None, "data": "Rundhals-T-Shirt"},
    ]
    model = catalog.model("TS-CREW")
    product_models.update_model(db_session, model, {"values": {"name": names}}, SYSTEM)
    solo = [names[0] | {"data": "Tote"}, names[1] | {"data": "Sac"}]
    _standalone(db_session, "SOLO", values={"name": solo})
    client = logged_in_client("editor")
    assert _translation_counts(_dashboard(client)) == {"de_DE": ("1", "0"), "fr_FR": ("0", "0")}

    changed = {"name": value("Organic crew-neck T-shirt", "en_US")}
    product_models.update_model(db_session, model, {"values": changed}, SYSTEM)
    tree = _dashboard(client)
    # the two variants inherit the changed name: outdated in both locales
    assert _translation_counts(tree) == {"de_DE": ("1", "2"), "fr_FR": ("0", "2")}
    (link,) = tree.xpath('//tr[@data-locale="fr_FR"]/td[@data-state="outdated"]/a/@href')
    path, args = _query(link)
    assert (path, args["q"], args["locale"]) == ("/products", "translation:fr_FR=outdated", "fr_FR")
    assert _listed(client, link) == {"TS-CREW-RED-M", "TS-CREW-RED-S"}
    (link,) = tree.xpath('//tr[@data-locale="de_DE"]/td[@data-state="missing"]/a/@href')
    assert _listed(client, link) == {"SOLO"}


def test_translation_status_shows_a_translators_locales_only(catalog, db_session, logged_in_client):
    client = logged_in_client("translator")
    client.user.locales = ["de_DE"]
    db_session.flush()
    assert set(_translation_counts(_dashboard(client))) == {"de_DE"}
    viewer = _dashboard(logged_in_client("viewer"))
    assert not viewer.xpath('//table[@data-table="translation-status"]')


# --- recent imports ------------------------------------------------------------------------


def test_recent_imports_shows_the_last_ten_with_links(db_session, logged_in_client):
    start = datetime(2024, 5, 1, tzinfo=UTC)
    for n in range(12):
        db_session.add(
            ImportJob(
                filename=f"feed-{n}.csv",
                stored_path=f"/nowhere/feed-{n}.csv",
                status="succeeded" if n % 2 else "failed",
                rows_read=10 + n,
                rows_created=n,
                created_at=start + timedelta(hours=n),
            )
        )
    db_session.flush()
    newest = db_session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    client = logged_in_client("editor")
    tree = _dashboard(client)
    rows = tree.xpath('//table[@data-table="imports"]/tbody/tr')
    assert len(rows) == 10
    assert "feed-11.csv" in rows[0].text_content() and "21" in rows[0].text_content()
    assert "failed" in rows[1].text_content()
    assert rows[0].xpath(".//a/@href") == [f"/imports/{newest.id}"]
    assert client.get(f"/imports/{newest.id}").status_code == 200
    assert "feed-1.csv" not in tree.text_content()


# --- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_reviewers_get_the_queue_and_the_imports(catalog, logged_in_client, role):
    tree = _dashboard(logged_in_client(role))
    text = tree.text_content()
    assert "Waiting for your review" in text and "Recent imports" in text
    assert "Missing translations" not in text
    nav = tree.xpath('//nav[@class="mainnav"]//a[@aria-current="page"]/text()')
    assert nav == ["Dashboard"]


def test_viewers_see_the_dashboard_read_only(catalog, db_session, make_user, logged_in_client):
    _submit(db_session, catalog.product("TS-CREW-RED-S"), make_user())
    client = logged_in_client("viewer")
    tree = _dashboard(client)
    text = tree.text_content()
    assert "Completeness by channel and locale" in text and "Products by workflow status" in text
    assert "Waiting for your review" not in text and "Sent back to you" not in text
    assert "Recent imports" not in text and "Missing translations" not in text
    assert tree.xpath("//main//form") == []
    data = {"resource": "product", "key": "TS-CREW-RED-S", "decision": "approve"}
    assert client.post("/dashboard/review", data=data).status_code == 403
    assert catalog.product("TS-CREW-RED-S").workflow_status == "in_review"


def test_translators_cannot_review(catalog, logged_in_client):
    client = logged_in_client("translator")
    text = _dashboard(client).text_content()
    assert "Waiting for your review" not in text and "Recent imports" not in text
    data = {"resource": "product", "key": "TS-CREW-RED-S", "decision": "approve"}
    assert client.post("/dashboard/review", data=data).status_code == 403


def test_suppliers_are_sent_to_their_portal(catalog, logged_in_client):
    client = logged_in_client("supplier")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/imports")
    data = {"resource": "product", "key": "TS-CREW-RED-S", "decision": "approve"}
    assert client.post("/dashboard/review", data=data).status_code == 403


def test_anonymous_users_sign_in_first(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_product_list_stays_at_products(catalog, logged_in_client):
    client = logged_in_client("viewer")
    response = client.get("/products")
    assert response.status_code == 200 and "TS-CREW-RED-S" in response.get_data(as_text=True)


# --- panels of other domains ---------------------------------------------------------------


def _asset(session, code: str, **fields) -> Asset:
    asset = Asset(
        code=code,
        filename=f"{code}.jpg",
        content_type="image/jpeg",
        kind="image",
        size=1,
        sha256=code.ljust(64, "0"),
        **fields,
    )
    session.add(asset)
    session.flush()
    return asset


def test_the_dam_panel_counts_expiring_and_expired_linked_assets(
    catalog, db_session, logged_in_client
):
    today = date.today()
    product = catalog.product("TS-CREW-RED-S")
    _asset(db_session, "soon", status=AssetStatus.APPROVED, valid_until=today + timedelta(days=5))
    _asset(db_session, "later", valid_until=today + timedelta(days=60))
    for code, fields in (
        ("gone", {"status": AssetStatus.EXPIRED}),
        ("past", {"status": AssetStatus.APPROVED, "valid_until": today - timedelta(days=1)}),
        ("unlinked", {"status": AssetStatus.EXPIRED}),
    ):
        asset = _asset(db_session, code, **fields)
        if code != "unlinked":
            db_session.add(AssetLink(asset_id=asset.id, product_id=product.id))
    db_session.flush()
    tree = _dashboard(logged_in_client("viewer"))
    (panel,) = tree.xpath('//section[@data-panel="dam-expiring"]')
    (soon,) = panel.xpath(".//a[@data-expiring-count]")
    assert soon.get("data-expiring-count") == "1" and "soon.jpg" in panel.text_content()
    assert _query(soon.get("href")) == ("/assets/", {"expiring": "30"})
    (expired,) = panel.xpath(".//a[@data-expired-linked]")
    assert expired.get("data-expired-linked") == "2"
    assert _query(expired.get("href")) == ("/assets/", {"status": "expired"})


def test_registered_panels_are_shown_in_order(app, catalog, logged_in_client, monkeypatch):
    def first(user):
        return Markup('<section class="card dash-panel" id="p1">{}</section>').format(user.role)

    def nothing(user):
        return None

    def feeds(user):
        return Markup('<section class="card dash-panel" id="p2">Recent feed runs</section>')

    panels = [*app.extensions.get("vitrine_dashboard_panels", []), first, nothing, feeds]
    monkeypatch.setitem(app.extensions, "vitrine_dashboard_panels", panels)
    page = logged_in_client("viewer").get("/").get_data(as_text=True)
    assert '<section class="card dash-panel" id="p1">viewer</section>' in page
    assert page.index('id="p1"') < page.index('id="p2"')
    assert page.index('data-panel="dam-expiring"') < page.index('id="p1"')


# --- cost ----------------------------------------------------------------------------------


def _statements_for(client, url: str) -> list[str]:
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [s for s in statements if "SAVEPOINT" not in s.upper()]


def test_query_count_does_not_grow_with_the_catalogue(
    catalog, db_session, make_user, logged_in_client
):
    author = make_user()
    _submit(db_session, catalog.product("TS-CREW-RED-S"), author)
    client = logged_in_client("editor")
    client.get("/")  # warm-up (structure cache)
    db_session.commit()  # what a commit triggers (the search index) is not the page's cost
    before = _statements_for(client, "/")
    for n in range(6):
        product = _standalone(db_session, f"Q-{n}", values={"name": value(f"n{n}", "en_US")})
        _submit(db_session, product, author)
    _submit(db_session, catalog.product("TS-CREW-RED-M"), author)
    db_session.commit()
    after = _statements_for(client, "/")
    assert len(after) == len(before), "\n".join(after)
