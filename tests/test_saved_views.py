"""The grid's display and saved views: attribute columns, thumbnails, variants grouped under
their models, and each user's named views (visible to their owner only)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from factories import SYSTEM, value
from sqlalchemy import event, select

from dam.models import Asset
from pim.extensions import db
from pim.models import Family, SavedView
from pim.services import product_models, products, structure
from pim.services.structure_cache import Structure
from pim.web import listing

XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def _standalone(session, identifier, **fields):
    return products.create_product(
        session, {"identifier": identifier, "family": "tshirts", **fields}, SYSTEM
    )


def _save(client, name, **params):
    return client.post("/views", data={"name": name, **params})


def _query(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def _menu_links(page: str) -> dict[str, str]:
    menu = re.search(r'aria-label="Your saved views">(.*?)</ul>', page, re.S)
    if menu is None:
        return {}
    found = re.findall(r'<a href="([^"]+)">([^<]*)</a>', menu.group(1))
    return {html.unescape(name): html.unescape(href) for href, name in found}


# --- saved views ---------------------------------------------------------------------------


def test_save_a_view_and_open_it_from_the_menu(catalog, db_session, logged_in_client):
    client = logged_in_client("viewer")
    params = {
        "q": "crew",
        "sort": "identifier",
        "cols": "name-fr_FR,color",
        "scope": "print",
        "locale": "fr_FR",
    }
    response = _save(client, "Crew tees", **params)
    assert response.status_code == 302
    assert _query(response.headers["Location"]) == ("/products", params)
    page = client.get("/products").get_data(as_text=True)
    links = _menu_links(page)
    assert list(links) == ["Crew tees"]
    assert _query(links["Crew tees"]) == ("/products", params)
    opened = client.get(links["Crew tees"]).get_data(as_text=True)
    assert "2 products found" in opened and 'Nom <span class="tag">fr_FR</span>' in opened
    view = db_session.scalar(select(SavedView))
    assert (view.query, view.sort, view.columns, view.scope, view.locale) == (
        "crew",
        "identifier",
        ["name-fr_FR", "color"],
        "print",
        "fr_FR",
    )


def test_saving_under_the_same_name_updates_the_view(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    _save(client, "Mine", q="crew")
    _save(client, "Mine", q="red", group="model")
    views = db_session.scalars(select(SavedView)).all()
    assert len(views) == 1 and views[0].query == "red" and views[0].group_by_model
    refused = _save(client, "   ", q="x")
    assert refused.status_code == 302
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "The view was not saved: give the view a name." in page


def test_views_are_visible_to_their_owner_only(catalog, db_session, logged_in_client):
    alice, bob = logged_in_client("editor"), logged_in_client("viewer")
    _save(alice, "Alice's drafts", status="draft")
    view = db_session.scalar(select(SavedView))
    assert view.user_id == alice.user.id
    assert "Alice" not in bob.get("/products").get_data(as_text=True)
    assert "Alice" not in bob.get("/views").get_data(as_text=True)
    assert "You have no saved view yet." in bob.get("/views").get_data(as_text=True)
    assert bob.post(f"/views/{view.id}/rename", data={"name": "Mine now"}).status_code == 404
    assert bob.post(f"/views/{view.id}/delete").status_code == 404
    db_session.refresh(view)
    assert view.name == "Alice's drafts"
    assert "Alice&#39;s drafts" in alice.get("/views").get_data(as_text=True)


def test_rename_and_delete_a_view(catalog, db_session, logged_in_client):
    client = logged_in_client("viewer")
    _save(client, "One", q="crew")
    _save(client, "Two", q="red")
    one, two = db_session.scalars(select(SavedView).order_by(SavedView.name)).all()
    response = client.post(f"/views/{one.id}/rename", data={"name": "Crew"})
    assert response.status_code == 302
    page = client.get("/views").get_data(as_text=True)
    assert "Renamed the view to “Crew”." in page
    taken = client.post(f"/views/{one.id}/rename", data={"name": "Two"})
    assert "you already have a view named" in client.get(taken.headers["Location"]).get_data(
        as_text=True
    )
    assert client.post(f"/views/{two.id}/delete").status_code == 302
    assert [v.name for v in db_session.scalars(select(SavedView))] == ["Crew"]
    assert client.get("/views/1/delete").status_code == 405  # no state change over GET


def test_view_names_and_column_labels_are_escaped(catalog, db_session, logged_in_client):
    structure.create_attribute(
        db_session,
        {"code": "motto", "type": "text", "group": "product", "labels": {"en_US": XSS}},
        SYSTEM,
    )
    client = logged_in_client("editor")
    _save(client, XSS, cols="motto")
    for path in ("/products?cols=motto&locale=en_US", "/views"):
        page = client.get(path).get_data(as_text=True)
        assert XSS not in page and ESCAPED in page


# --- columns -------------------------------------------------------------------------------


def test_attribute_columns_show_values_like_the_product_page(catalog, db_session, logged_in_client):
    _standalone(
        db_session,
        "COL-1",
        values={
            "name": value("Chemise", "fr_FR") + value("Shirt", "en_US"),
            "material": value(["cotton", "elastane"]),
            "washable": value(True),
            "description": value("<p>Soft <b>cotton</b></p>", "en_US", "ecommerce"),
        },
    )
    client = logged_in_client("viewer")
    cols = "name-fr_FR,name,material,washable,description,price,color,nope,name-xx_XX"
    page = client.get(f"/products?q=identifier:COL-1&cols={cols}&locale=en_US")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    cells = re.findall(r'<td class="attr-column wrap">([^<]*)</td>', text)
    assert cells == ["Chemise", "Shirt", "cotton, elastane", "Yes", "Soft cotton", "—", "—"]
    headers = re.findall(r'<th scope="col" class="attr-column">\s*([^<]+?)\s*<', text)
    assert headers == ["Name", "Name", "material", "washable", "description", "price", "color"]
    assert 'Name <span class="tag">fr_FR</span>' in text
    inherited = client.get("/products?q=TS-CREW-RED-S&cols=price,color").get_data(as_text=True)
    assert "€19.90, $24.00" in inherited and ">red</td>" in inherited  # from the models


def test_the_column_chooser_adds_a_column_to_the_address(catalog, db_session, logged_in_client):
    client = logged_in_client("viewer")
    response = client.get(
        "/products?q=crew&cols=color&add_col=name&add_col_locale=de_DE&add_col_scope=print"
    )
    assert response.status_code == 302
    path, params = _query(response.headers["Location"])
    assert (
        params["cols"] == "color,name-de_DE" and params["q"] == "crew"
    )  # no channel: not scopable
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    remove = re.search(r'href="([^"]+)" aria-label="Remove the column color"', page).group(1)
    assert _query(html.unescape(remove))[1]["cols"] == "name-de_DE"
    columns = listing.parse_columns(Structure.current(db_session), "color,color,x,size-fr_FR")
    assert [c.spec for c in columns] == ["color"]  # once; unknown ones and bad locales dropped


def test_columns_and_thumbnails_keep_the_query_count(catalog, db_session, logged_in_client):
    url = "/products?cols=name,price,color,size,description"
    client = logged_in_client("editor")
    client.get(url)  # warm-up
    before = _statements_for(client, url)
    for n in range(3):
        _standalone(db_session, f"QC-{n}", values={"name": value(f"n{n}", "en_US")})
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
    db_session.commit()
    after = _statements_for(client, url)
    assert len(after) == len(before), "\n".join(after)


def test_grouping_keeps_the_query_count(catalog, db_session, logged_in_client):
    url = "/products?group=model&cols=price,size"
    client = logged_in_client("editor")
    client.get(url)  # warm-up
    before = _statements_for(client, url)
    _second_tree(db_session)
    products.create_product(
        db_session,
        {"identifier": "TS-CREW-RED-XS", "parent": "TS-CREW-RED", "values": {"size": value("xs")}},
        SYSTEM,
    )
    db_session.commit()
    after = _statements_for(client, url)
    assert len(after) == len(before), "\n".join(after)


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


# --- thumbnails ----------------------------------------------------------------------------


def _asset(session, code: str, **fields) -> Asset:
    fields = {"kind": "image", "content_type": "image/jpeg", **fields}
    asset = Asset(code=code, filename=f"{code}.jpg", size=1, sha256=code.ljust(64, "0"), **fields)
    session.add(asset)
    session.flush()
    return asset


def test_thumbnails_come_from_the_dam_in_one_query(catalog, db_session, logged_in_client):
    family = db_session.scalar(select(Family).where(Family.code == "tshirts"))
    structure.update_family(db_session, family, {"image_attribute": "images"}, SYSTEM)
    shown = _asset(db_session, "front")
    _asset(db_session, "doc", kind="document")
    _standalone(db_session, "PIC-1", values={"images": value(["front", "back"])})
    _standalone(db_session, "PIC-2", values={"images": value(["doc"])})
    client = logged_in_client("viewer")
    text = client.get("/products?q=PIC").get_data(as_text=True)
    assert '<th scope="col" class="thumb-cell">Image</th>' in text
    images = re.findall(r'<td class="thumb-cell"><img src="([^"]+)"', text)
    assert len(images) == 1
    assert images[0].startswith(f"/assets/{shown.id}/renditions/thumb?v=")
    before = _statements_for(client, "/products")
    for n in range(3):
        _asset(db_session, f"more{n}")
        _standalone(db_session, f"PIC-more-{n}", values={"images": value([f"more{n}"])})
    db_session.commit()
    after = _statements_for(client, "/products")
    assert len(after) == len(before), "\n".join(after)  # one query for the page's thumbnails
    assert len(re.findall(r'<td class="thumb-cell"><img', client.get("/products").text)) == 4


def test_without_a_dam_the_grid_has_no_image_column(
    catalog, db_session, logged_in_client, app, monkeypatch
):
    monkeypatch.delitem(app.extensions, "vitrine_thumbnail_url")
    text = logged_in_client("viewer").get("/products").get_data(as_text=True)
    assert "thumb-cell" not in text and "TS-CREW-RED-S" in text


# --- variants grouped under their models ----------------------------------------------------


def _second_tree(session):
    product_models.create_model(
        session, {"code": "TS-VNECK", "family_variant": "tshirts_color_size"}, SYSTEM
    )
    product_models.create_model(
        session,
        {"code": "TS-VNECK-BLUE", "parent": "TS-VNECK", "values": {"color": value("blue")}},
        SYSTEM,
    )
    products.create_product(
        session,
        {
            "identifier": "TS-VNECK-BLUE-L",
            "parent": "TS-VNECK-BLUE",
            "values": {"size": value("l")},
            "workflow_status": "in_review",
        },
        SYSTEM,
    )


def test_group_by_model_lists_models_with_their_variants(catalog, db_session, logged_in_client):
    _second_tree(db_session)
    _standalone(db_session, "ALONE-1")
    client = logged_in_client("editor")
    text = client.get("/products?group=model&locale=en_US&cols=size").get_data(as_text=True)
    assert text.count('<details class="model-group" open>') == 2
    crew = text[text.index('<span class="model-code">TS-CREW</span>') :]
    assert "Crew-neck T-shirt" in crew.split("</summary>")[0] and "2 variants" in crew
    assert ">TS-CREW-RED</a>" in crew and ">TS-CREW-RED-S</a>" in crew
    assert "ALONE-1" not in text  # products without a model are in the flat list
    assert text.count('name="id"') == 3
    filtered = client.get("/products?group=model&status=in_review").get_data(as_text=True)
    assert "TS-VNECK-BLUE-L" in filtered and "TS-CREW-RED-S" not in filtered
    assert '<span class="model-code">TS-CREW</span>' not in filtered
    by_text = client.get("/products?group=model&q=RED-M").get_data(as_text=True)
    assert '<span class="model-code">TS-CREW</span>' in by_text and "TS-VNECK" not in by_text


def test_group_by_model_pages_on_models(catalog, db_session, logged_in_client, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    _second_tree(db_session)
    client = logged_in_client("viewer")
    first = client.get("/products?group=model").get_data(as_text=True)
    assert "TS-CREW-RED-S" in first and "TS-VNECK" not in first
    following = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    second = client.get(html.unescape(following)).get_data(as_text=True)
    assert "TS-VNECK-BLUE-L" in second and "TS-CREW-RED-S" not in second
    assert "group=model" in html.unescape(following)
    back = re.search(r'rel="prev" href="([^"]+)"', second).group(1)
    assert "TS-CREW-RED-S" in client.get(html.unescape(back)).get_data(as_text=True)
