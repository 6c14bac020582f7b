"""Feed previews: the first items as written and the funnel, for a definition not saved."""

from __future__ import annotations

import csv
import io

from factories import SYSTEM, value
from feedtest import BASE, MAPPING, make_feed, memory_media, picture
from sqlalchemy import func, select

from channels.models import Feed, FeedRun
from channels.preview import preview_feed
from pim.services import products


def definition(**settings) -> dict:
    """An unsaved CSV feed of the ``ecommerce`` channel, as the edit form sends it."""
    return {
        "code": "draft",
        "channel": "ecommerce",
        "format": "csv",
        "locale": "en_US",
        "currency": "EUR",
        "territory": "FR",
        "mapping": MAPPING,
        **settings,
    }


def preview(session, source, media=None, **options):
    return preview_feed(session, source, base_url=BASE, media=media or memory_media(), **options)


def counts(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Feed)),
        session.scalar(select(func.count()).select_from(FeedRun)),
    )


def add_usd_only(session, identifier: str = "USD-ONLY") -> None:
    products.create_product(
        session,
        {
            "identifier": identifier,
            "family": "tshirts",
            "values": {
                "name": value("Dollar tee", "en_US"),
                "price": value([{"amount": "10", "currency": "USD"}]),
            },
        },
        SYSTEM,
    )


def test_an_unsaved_feed_shows_its_items_as_written_and_why_others_are_left_out(catalog):
    session = catalog.session
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    add_usd_only(session)
    media = memory_media()
    picture(session, media, catalog.model("TS-CREW"), 1, role="main")
    before = counts(session)

    result = preview(session, definition(), media)

    assert result.problems == []
    assert [item["id"] for item in result.items] == ["TS-CREW-RED-S"]
    item = result.items[0]
    assert (item["title"], item["price"], item["item_group_id"]) == (
        "Crew-neck T-shirt",
        "19.90 EUR",
        "TS-CREW",
    )
    assert item["image_link"].startswith(BASE)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["id"], r["price"]) for r in rows] == [("TS-CREW-RED-S", "19.90 EUR")]
    assert result.columns[:3] == ["id", "item_group_id", "title"]
    funnel = result.funnel
    assert (funnel.scanned, funnel.included, funnel.excluded, funnel.complete) == (3, 1, 2, True)
    assert funnel.reasons == {
        "disabled": {"count": 1, "sample": ["TS-CREW-RED-M"]},
        "no price in EUR": {"count": 1, "sample": ["USD-ONLY"]},
    }
    assert counts(session) == before
    assert session.scalar(select(Feed).where(Feed.code == "draft")) is None


def test_a_preview_of_an_edited_feed_leaves_the_saved_one_unchanged(catalog):
    session = catalog.session
    feed = make_feed(session, "shop")
    session.commit()
    result = preview(session, {"code": "shop", "currency": "USD", "format": "ndjson"})
    assert result.problems == []
    assert '"currency": "USD"' in result.output
    session.expire_all()
    assert (feed.currency, feed.format) == ("EUR", "csv")
    assert counts(session) == (1, 0)


def test_problems_are_returned_not_raised_and_nothing_is_written(catalog):
    session = catalog.session
    before = counts(session)
    result = preview(
        session,
        definition(code="", mapping={"title": {"attribute": "nope"}}, currency="JPY"),
    )
    fields = {problem.field for problem in result.problems}
    assert fields == {"mapping", "currency"}  # a new feed may be previewed before it has a code
    assert result.items == [] and result.output is None
    assert result.as_dict()["ok"] is False
    assert counts(session) == before


def test_an_unknown_rendition_preset_is_a_problem(catalog):
    result = preview(catalog.session, definition(rendition_preset="huge"))
    assert [p.field for p in result.problems] == ["rendition_preset"]
    assert "unknown rendition preset 'huge'" in result.problems[0].message


def test_the_limit_caps_the_items_and_a_short_scan_says_it_is_partial(catalog):
    session = catalog.session
    for number in range(3):
        add_usd_only(session, f"USD-{number}")
    result = preview(session, definition(), limit=1)
    assert len(result.items) == 1
    assert result.output.count("TS-CREW-RED") == 1
    assert (result.funnel.included, result.funnel.scanned, result.funnel.complete) == (2, 5, True)

    partial = preview(session, definition(), scan=3)
    assert (partial.funnel.scanned, partial.funnel.complete) == (3, False)
    assert partial.funnel.included == 2
    assert partial.funnel.reasons["no price in EUR"]["count"] == 1


def test_a_saved_feed_can_be_previewed_as_it_is(catalog):
    session = catalog.session
    feed = make_feed(session, "shop", format="json")
    result = preview(session, feed)
    assert result.format == "json"
    assert '"title": "Crew-neck T-shirt"' in result.output
    assert result.funnel.included == 2


class PdfLikeWriter:
    """A binary format: its file cannot be shown as text."""

    extension = "pdf"
    content_type = "application/pdf"

    def check(self, item: dict) -> list[str]:
        return [] if item.get("title") else ["title: is required"]

    def open(self, stream, *, title: str, link: str, description: str) -> None:
        raise AssertionError("a binary file is not written for a preview")


def test_a_binary_format_shows_its_items_but_not_its_file(catalog, monkeypatch):
    from channels.formats import FORMATS

    monkeypatch.setitem(FORMATS, "pdf", PdfLikeWriter)
    result = preview(catalog.session, definition(format="pdf"))
    assert result.problems == []
    assert result.output is None
    assert result.note == "A preview of the PDF file is not available."
    assert [item["id"] for item in result.items] == ["TS-CREW-RED-S", "TS-CREW-RED-M"]
    assert result.funnel.included == 2
