"""The formats' and the mapping's exclusion reasons, stored in English on a run, are shown in
the reader's language.

The shipped catalogues get these messages' translations after the feature, so the tests
install a few French ones of their own (as tests/test_i18n_messages.py does): they check
that each reason goes through the catalogue, not a translation's wording.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from babel.messages.extract import extract
from catalogue_fakes import add_messages
from feedtest import make_feed
from sqlalchemy import select

from channels.formats import google
from channels.formats.base import field_problem
from channels.models import FeedRun, RunStatus
from channels.pipeline import EXCLUSION_MESSAGES
from pim.i18n import N_, english

ROOT = Path(__file__).resolve().parents[2]
FRENCH = {
    "%(field)s: %(problem)s": "%(field)s : %(problem)s",
    "is required": "est obligatoire",
    "%(length)s characters, at most %(limit)s allowed": "%(length)s caractères, %(limit)s au plus",
    "main image %(name)s (%(code)s): %(problems)s": "image %(name)s (%(code)s) : %(problems)s",
    "licence unknown": "licence inconnue",
    "check digit is wrong (%(gtin)s)": "chiffre de contrôle faux (%(gtin)s)",
    "its handle %(handle)s is the previous product's (%(previous)s); Shopify would merge "
    "them": "son handle %(handle)s est celui du produit précédent (%(previous)s) ; fusion",
    "missing %(locale)s translation of %(code)s": "traduction %(locale)s de %(code)s manquante",
}


@pytest.fixture
def french(monkeypatch):
    add_messages(monkeypatch, {"fr": FRENCH})


def test_a_google_items_reason_reads_in_french_on_the_runs_page(french, catalog, logged_in_client):
    client = logged_in_client("admin")
    client.post("/account/language", data={"ui_locale": "fr"})
    feed = make_feed(catalog.session, "gmc", format="google_merchant")
    client.post("/channels/feeds/gmc/run")
    run = catalog.session.scalar(select(FeedRun).where(FeedRun.feed_id == feed.id))
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert "description: is required" in run.exclusions  # stored in English for everyone

    page = html.unescape(client.get("/channels/feeds/gmc/runs").get_data(as_text=True))

    assert "description : est obligatoire" in page
    assert "description: is required" not in page


def test_format_problems_are_translated_with_their_nested_phrases(french, app):
    too_long = google.check_item({"title": "x" * 151})
    assert "title: 151 characters, at most 150 allowed" in too_long  # the English kept
    handle = field_problem(
        "id",
        N_(
            "its handle %(handle)s is the previous product's (%(previous)s); "
            "Shopify would merge them"
        ),
        handle="'tee'",
        previous="TEE-1",
    )
    image = english(
        N_("main image %(name)s (%(code)s): %(problems)s"),
        name="a.jpg",
        code="A1",
        problems="; ".join([english(N_("licence unknown")), "a text no catalogue knows"]),
    )
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert EXCLUSION_MESSAGES.translate("title: 151 characters, at most 150 allowed") == (
            "title : 151 caractères, 150 au plus"
        )
        assert EXCLUSION_MESSAGES.translate("gtin: check digit is wrong (4006381333932)") == (
            "gtin : chiffre de contrôle faux (4006381333932)"
        )
        assert EXCLUSION_MESSAGES.translate(handle) == (
            "id : son handle 'tee' est celui du produit précédent (TEE-1) ; fusion"
        )
        assert EXCLUSION_MESSAGES.translate(image) == (
            "image a.jpg (A1) : licence inconnue; a text no catalogue knows"
        )
        assert EXCLUSION_MESSAGES.translate("missing fr_FR translation of name") == (
            "traduction fr_FR de name manquante"
        )
        assert EXCLUSION_MESSAGES.translate("something else: entirely") == (
            "something else : entirely"
        )


def test_every_marked_reason_of_the_formats_and_the_mapping_is_known_when_shown():
    known = {message for message, _pattern in EXCLUSION_MESSAGES._patterns}
    files = [*sorted((ROOT / "channels" / "formats").glob("*.py")), ROOT / "channels/mapping.py"]
    marked = set()
    for path in files:
        with path.open("rb") as handle:
            marked |= {msg for _line, msg, _c, _ctx in extract("python", handle, {"N_": None})}
    assert marked and marked <= known, sorted(marked - known)
