"""A CSV feed re-imported: the cells its export defused against spreadsheet formulas come
back exactly as they were in the catalogue."""

from __future__ import annotations

from factories import SYSTEM, value
from importing import run, save_profile

from channels.feeds import save_feed
from channels.runs import run_feed
from dam.context import Media
from pim.services import products

NAMES = {
    "FX-1": '=HYPERLINK("http://evil.example","click")',
    "FX-2": "+33 1 23 45 67 89",
    "FX-3": "-20% summer sale",
    "FX-4": "@home tee",
    "FX-5": "'quoted' tee",
    "FX-6": "\tTabbed tee",
}


def test_a_csv_feed_reimports_to_the_same_values(catalog, tmp_path):
    session = catalog.session
    for identifier, name in NAMES.items():
        products.create_product(
            session,
            {
                "identifier": identifier,
                "family": "tshirts",
                "values": {
                    "name": value(name, "en_US"),
                    "price": value([{"amount": "10", "currency": "EUR"}]),
                },
            },
            SYSTEM,
        )
    feed = save_feed(
        session,
        {
            "code": "names",
            "channel": "ecommerce",
            "format": "csv",
            "locale": "en_US",
            "currency": "EUR",
            "mapping": {"name-en_US": {"attribute": "name"}},
        },
    )
    out = tmp_path / "names.csv"
    media = Media(storage_url="memory://roundtrip", settings_path="", max_pixels=10**8)
    built = run_feed(session, feed, out=out, media=media, base_url="https://x.example")
    assert built.status == "succeeded", built.message
    written = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in written and "''quoted' tee" in written

    for identifier in NAMES:  # forget the names, then import them back from the feed
        products.update_product(
            session,
            products.get_product(session, identifier),
            {"values": {"name": value("changed", "en_US")}},
            SYSTEM,
        )
    mapping = {
        "key": {"column": "id"},
        "auto": True,
        "ignore": ["item_group_id", "image_link", "additional_image_link"],
    }
    profile = save_profile(session, mapping=mapping)
    job = run(session, profile, out)
    assert job.status == "succeeded", job.message
    for identifier, name in NAMES.items():
        product = products.get_product(session, identifier)
        assert product.values["name"][0]["data"] == name, identifier
