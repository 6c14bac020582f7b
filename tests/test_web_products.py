"""The product list: labels, filters, completeness badges, keyset pagination, query count."""

from __future__ import annotations

from factories import SYSTEM, value
from sqlalchemy import event

from pim.extensions import db
from pim.services import products
from pim.web import listing


def _standalone(session, identifier, **fields):
    return products.create_product(
        session, {"identifier": identifier, "family": "tshirts", **fields}, SYSTEM
    )


def test_list_shows_label_family_parent_and_completeness(catalog, logged_in_client):
    page = logged_in_client("viewer").get("/products?scope=ecommerce&locale=en_US")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "TS-CREW-RED-S" in text and "TS-CREW-RED-M" in text
    assert "Crew-neck T-shirt" in text  # label inherited from the root model
    assert "T-shirts" in text and ">TS-CREW-RED</a>" in text
    assert 'class="badge badge-' in text and "%</span>" in text


def test_label_follows_the_chosen_locale(catalog, db_session, logged_in_client):
    _standalone(
        db_session,
        "LOC-1",
        values={"name": value("Chemise", "fr_FR") + value("Shirt", "en_US")},
    )
    client = logged_in_client("viewer")
    assert "Chemise" in client.get("/products?q=LOC&locale=fr_FR").get_data(as_text=True)
    english = client.get("/products?q=LOC&locale=en_US").get_data(as_text=True)
    assert "Shirt" in english and "Chemise" not in english


def test_filters_by_identifier_family_and_status(catalog, db_session, logged_in_client):
    _standalone(db_session, "OTHER_1", workflow_status="in_review")
    client = logged_in_client("viewer")
    text = client.get("/products?q=identifier:ts-crew-red-s").get_data(as_text=True)
    assert "TS-CREW-RED-S" in text and "TS-CREW-RED-M" not in text
    text = client.get("/products?q=crew+size:m").get_data(as_text=True)
    assert "TS-CREW-RED-M" in text and "TS-CREW-RED-S" not in text
    text = client.get("/products?status=in_review").get_data(as_text=True)
    assert "OTHER_1" in text and "TS-CREW-RED-S" not in text
    assert "No product matches" in client.get("/products?family=nope").get_data(as_text=True)
    text = client.get("/products?q=OTHER_").get_data(as_text=True)
    assert "OTHER_1" in text and "TS-CREW" not in text
    assert "No product matches" in client.get("/products?q=zzz%25").get_data(as_text=True)


def test_search_box_reports_mistakes_and_offers_facets(catalog, db_session, logged_in_client):
    client = logged_in_client("viewer")
    response = client.get("/products?q=colr:red")
    assert response.status_code == 422
    assert "did you mean color?" in response.get_data(as_text=True)
    text = client.get("/products?q=crew").get_data(as_text=True)
    assert "2 products found" in text
    assert "q=crew+size:m" in text  # the size facet adds a filter to the query
    assert ">T-shirts</a>" in text  # facet values show labels, not codes
    assert ">Master</a>" in text  # categories too


def test_keyset_pagination_forward_and_back(catalog, db_session, logged_in_client, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for n in range(3):
        _standalone(db_session, f"PAGE-{n}")
    client = logged_in_client("viewer")
    pages = []
    url = "/products"
    while url:
        response = client.get(url)
        text = response.get_data(as_text=True)
        pages.append([i for i in _identifiers() if f">{i}</a>" in text])
        url = _link(text, "next")
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(sum(pages, [])) == sorted(_identifiers())
    previous = _link(client.get(_last_url(client)).get_data(as_text=True), "prev")
    back = client.get(previous).get_data(as_text=True)
    assert all(f">{i}</a>" in back for i in pages[1])


def _identifiers():
    return ["TS-CREW-RED-S", "TS-CREW-RED-M", "PAGE-0", "PAGE-1", "PAGE-2"]


def _link(page: str, rel: str) -> str | None:
    import html
    import re

    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def _last_url(client) -> str:
    url, last = "/products", "/products"
    while url:
        last = url
        url = _link(client.get(url).get_data(as_text=True), "next")
    return last


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


def test_list_query_count_does_not_grow_with_rows(catalog, db_session, logged_in_client):
    client = logged_in_client("viewer")
    client.get("/products")  # warm-up
    before = _statements_for(client, "/products")
    for n in range(4):
        _standalone(db_session, f"Q-{n}", values={"name": value(f"n{n}", "en_US")})
    for size in ("l", "xl"):
        products.create_product(
            db_session,
            {
                "identifier": f"TS-CREW-RED-{size}",
                "parent": "TS-CREW-RED",
                "values": {"size": value(size)},
            },
            SYSTEM,
        )
    db_session.commit()  # (indexing the new rows for search is not the list's work)
    after = _statements_for(client, "/products")
    assert len(after) == len(before), "\n".join(after)


def test_product_list_handles_unknown_channel_and_bad_cursor(catalog, logged_in_client):
    client = logged_in_client("viewer")
    assert client.get("/products?scope=nope&locale=xx&after=abc").status_code == 200
