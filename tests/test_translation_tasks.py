"""The translators' task list (``/translations``): their locales only, items with missing or
outdated translations of their own, links to the editor, and who may see it."""

from __future__ import annotations

import lxml.html
from factories import SYSTEM, value

from pim.services import products


def _names(**by_locale) -> list[dict]:
    return [{"locale": loc, "scope": None, "data": text} for loc, text in by_locale.items()]


def _product(session, identifier: str, **names):
    payload = {"identifier": identifier, "family": "tshirts", "values": {"name": _names(**names)}}
    return products.create_product(session, payload, SYSTEM)


def _page(client, url="/translations"):
    response = client.get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def _tasks(tree) -> dict:
    rows = tree.xpath('//table[@data-table="translation-tasks"]//tr[@data-key]')
    return {
        row.get("data-key"): (
            row.xpath("string(td[@data-state='missing'])"),
            row.xpath("string(td[@data-state='outdated'])"),
            row.xpath(".//@data-field"),
        )
        for row in rows
    }


def test_a_translator_sees_what_to_do_in_their_locales_only(catalog, db_session, logged_in_client):
    _product(db_session, "DONE", en_US="Tote", fr_FR="Sac")
    stale = _product(db_session, "STALE", en_US="Cap", fr_FR="Casquette")
    products.update_product(
        db_session, stale, {"values": {"name": value("Flat cap", "en_US")}}, SYSTEM
    )
    client = logged_in_client("translator")
    client.user.locales = ["fr_FR"]
    db_session.flush()

    tree = _page(client)
    assert tree.xpath("//ul[@data-locales]/li/@data-locale") == ["fr_FR"]
    # the variants inherit the model's name: it is translated once, on the model
    assert _tasks(tree) == {
        "STALE": ("0", "1", ["name-fr_FR"]),
        "TS-CREW": ("1", "0", ["name-fr_FR"]),
    }
    (link,) = tree.xpath('//tr[@data-key="TS-CREW"]//a/@href')
    assert link.startswith("/models/TS-CREW?") and "locale=fr_FR" in link
    assert _tasks(_page(client, "/translations?locale=de_DE")) == _tasks(tree)  # not theirs
    nav = tree.xpath('//nav[@class="mainnav"]//a[@aria-current="page"]/@href')
    assert nav == ["/translations"]


def test_editors_see_every_locale_and_viewers_and_suppliers_are_refused(
    catalog, db_session, logged_in_client
):
    _product(db_session, "DONE", en_US="Tote", fr_FR="Sac", de_DE="Tasche")
    tree = _page(logged_in_client("editor"), "/translations?locale=de_DE")
    assert tree.xpath("//ul[@data-locales]/li/@data-locale") == ["de_DE", "fr_FR"]
    assert set(_tasks(tree)) == {"TS-CREW"}
    for role in ("viewer", "supplier"):
        client = logged_in_client(role)
        assert client.get("/translations").status_code == 403
        tree = lxml.html.fromstring(client.get("/").get_data(as_text=True))
        assert not tree.xpath('//a[@href="/translations"]')
