"""Product and model lists: cursor pagination and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from pim.services import products
from pim.services.actors import Actor

URL = "/api/v1/products"
SYSTEM = Actor.system()


def value(data, locale=None, scope=None):
    return [{"locale": locale, "scope": scope, "data": data}]


def _make(db_session, identifier, **fields):
    return products.create_product(db_session, {"identifier": identifier, **fields}, SYSTEM)


def _identifiers(api, query: str = "") -> list[str]:
    response = api.get(f"{URL}?limit=100&{query}")
    assert response.status_code == 200, response.get_json()
    return [item["identifier"] for item in response.get_json()["items"]]


def test_pages_follow_the_cursor_and_survive_inserts_between_pages(api, db_session, catalog):
    for n in range(7):
        _make(db_session, f"P-{n}")
    first = api.get(f"{URL}?limit=4").get_json()
    assert [i["identifier"] for i in first["items"]] == [
        "TS-CREW-RED-S",
        "TS-CREW-RED-M",
        "P-0",
        "P-1",
    ]
    assert first["next"].startswith("http://localhost/api/v1/products?")
    assert "limit=4" in first["next"]
    # someone inserts and deletes while we page
    _make(db_session, "LATE-1")
    products.delete_product(db_session, products.get_product(db_session, "P-0"), SYSTEM)
    seen = [i["identifier"] for i in first["items"]]
    url = first["next"]
    while url:
        page = api.get(url.removeprefix("http://localhost")).get_json()
        seen += [i["identifier"] for i in page["items"]]
        url = page["next"]
    assert seen == [
        "TS-CREW-RED-S",
        "TS-CREW-RED-M",
        "P-0",
        "P-1",
        "P-2",
        "P-3",
        "P-4",
        "P-5",
        "P-6",
        "LATE-1",
    ]
    assert len(set(seen)) == len(seen)


def test_limit_and_cursor_are_validated(api, catalog):
    for query in ("limit=0", "limit=101", "limit=x", "cursor=bm9wZQ", "cursor=%%%"):
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["errors"][0]["field"] in ("limit", "cursor")
    assert len(api.get(f"{URL}?limit=1").get_json()["items"]) == 1
    assert api.get(f"{URL}").get_json()["next"] is None  # 2 products, default limit 25


def test_filters_family_status_enabled_and_updated_since(api, db_session, catalog):
    _make(db_session, "F-1", family="tshirts", enabled=False)
    _make(db_session, "F-2", workflow_status="in_review")
    assert _identifiers(api, "family=tshirts") == ["TS-CREW-RED-S", "TS-CREW-RED-M", "F-1"]
    assert _identifiers(api, "enabled=false") == ["F-1"]
    assert _identifiers(api, "status=in_review") == ["F-2"]
    future = quote((datetime.now(UTC) + timedelta(hours=1)).isoformat())
    assert _identifiers(api, f"updated_since={future}") == []
    assert len(_identifiers(api, "updated_since=2000-01-01T00:00:00")) == 4
    assert api.get(f"{URL}?family=nope").get_json()["errors"][0]["field"] == "family"
    assert api.get(f"{URL}?status=published").status_code == 422
    assert api.get(f"{URL}?updated_since=yesterday").status_code == 422


def test_categories_include_subcategories_and_models(api, db_session, catalog):
    _make(db_session, "C-WOMEN", categories=["women"])
    _make(db_session, "C-MEN", categories=["men"])
    # TS-CREW (the root model) is in women_tops, below women
    assert _identifiers(api, "categories=women") == ["TS-CREW-RED-S", "TS-CREW-RED-M", "C-WOMEN"]
    assert _identifiers(api, "categories=men,women_tops") == [
        "TS-CREW-RED-S",
        "TS-CREW-RED-M",
        "C-MEN",
    ]
    assert len(_identifiers(api, "categories=master")) == 4
    assert api.get(f"{URL}?categories=nope").status_code == 422


def test_completeness_filter(api, db_session, catalog):
    _make(
        db_session,
        "FULL",
        family="tshirts",
        values={
            "name": value("Full", "fr_FR"),
            "price": value([{"amount": "1", "currency": "EUR"}]),
        },
    )
    _make(db_session, "EMPTY", family="tshirts")
    assert _identifiers(api, "completeness=print:fr_FR:=100") == ["FULL"]
    assert "EMPTY" in _identifiers(api, "completeness=print:fr_FR:<50")
    assert _identifiers(api, "completeness=print:fr_FR:>=100,ecommerce:en_US:>=100") == []
    for bad in ("print", "print:fr_FR:>>3", "nope:fr_FR:=1", "print:en_US:=1"):
        response = api.get(f"{URL}?completeness={quote(bad)}")
        assert response.status_code == 422, bad
        assert response.get_json()["errors"][0]["field"] == "completeness"


def test_search_uses_the_ui_syntax_and_combines_with_pagination(api, db_session, catalog):
    for n in range(5):
        _make(db_session, f"RED-{n}", family="tshirts", values={"color": value("red")})
    _make(db_session, "BLUE-1", family="tshirts", values={"color": value("blue")})
    db_session.commit()  # the index follows commits
    assert _identifiers(api, "search=color:blue") == ["BLUE-1"]
    url, pages = f"{URL}?search=color:red%20family:tshirts&limit=3&enabled=true", []
    while url:
        page = api.get(url.removeprefix("http://localhost")).get_json()
        pages.append([i["identifier"] for i in page["items"]])
        url = page["next"]
    assert pages == [
        ["TS-CREW-RED-S", "TS-CREW-RED-M", "RED-0"],
        ["RED-1", "RED-2", "RED-3"],
        ["RED-4"],
    ]
    bad = api.get(f"{URL}?search=colour:red")
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "search"


def test_list_items_are_trimmed_like_single_gets(api, catalog):
    items = api.get(f"{URL}?attributes=size&with_completeness=true&scope=print").get_json()["items"]
    assert [list(i["values"]) for i in items] == [["size"], ["size"]]
    assert {c["channel"] for i in items for c in i["completeness"]} == {"print"}


def test_product_model_list_and_filters(api, catalog):
    response = api.get("/api/v1/product-models?limit=1")
    body = response.get_json()
    assert [m["code"] for m in body["items"]] == ["TS-CREW"]
    following = api.get(body["next"].removeprefix("http://localhost")).get_json()
    assert [m["code"] for m in following["items"]] == ["TS-CREW-RED"]
    assert following["next"] is None

    def codes(query):
        items = api.get(f"/api/v1/product-models?{query}").get_json()["items"]
        return [m["code"] for m in items]

    assert codes("family=tshirts") == ["TS-CREW", "TS-CREW-RED"]
    assert codes("categories=women") == ["TS-CREW", "TS-CREW-RED"]
    assert codes("categories=men") == []
    assert codes("status=approved") == []


def test_updated_since_includes_variants_whose_model_changed(api, db_session, catalog):
    from sqlalchemy import update

    from pim.models import Product, ProductModel
    from pim.services import product_models

    _make(db_session, "STANDALONE")
    past = datetime(2026, 1, 1, tzinfo=UTC)
    db_session.execute(update(Product).values(updated_at=past))
    db_session.execute(update(ProductModel).values(updated_at=past))
    db_session.expire_all()
    since = quote(datetime(2026, 6, 1, tzinfo=UTC).isoformat())
    assert _identifiers(api, f"updated_since={since}") == []

    root = product_models.get_model(db_session, "TS-CREW")
    product_models.update_model(db_session, root, {"values": {"brand": value("acme")}}, SYSTEM)
    db_session.flush()
    # the variants' effective brand changed through the root model
    assert _identifiers(api, f"updated_since={since}") == ["TS-CREW-RED-S", "TS-CREW-RED-M"]


def test_updated_since_includes_sub_models_whose_root_changed(api, db_session, catalog):
    from sqlalchemy import update

    from pim.models import ProductModel
    from pim.services import product_models

    db_session.execute(update(ProductModel).values(updated_at=datetime(2026, 1, 1, tzinfo=UTC)))
    db_session.expire_all()
    since = quote(datetime(2026, 6, 1, tzinfo=UTC).isoformat())
    url = f"/api/v1/product-models?updated_since={since}"
    assert api.get(url).get_json()["items"] == []
    root = product_models.get_model(db_session, "TS-CREW")
    product_models.update_model(db_session, root, {"values": {"brand": value("acme")}}, SYSTEM)
    db_session.flush()
    assert [m["code"] for m in api.get(url).get_json()["items"]] == ["TS-CREW", "TS-CREW-RED"]
