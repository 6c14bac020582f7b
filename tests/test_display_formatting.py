"""Numbers, prices, units and dates in the UI language (Babel), and numbers typed the
way that language writes them."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest
from factories import value
from flask import Flask
from flask_babel import Babel, force_locale
from werkzeug.datastructures import MultiDict

from pim.services.errors import Problem
from pim.services.structure_cache import AttrSpec
from pim.web import display, forms

URL = "/products/TS-CREW-RED-S?scope=ecommerce&locale=en_US"
MOMENT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def babel_app():
    """A bare Flask app with Flask-Babel: the filters need nothing else."""
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield app


def spec(type_: str, **extra) -> AttrSpec:
    fields = {
        "id": 1,
        "code": "weight",
        "type": type_,
        "group": "g",
        "sort_order": 0,
        "labels": {},
        "localizable": False,
        "scopable": False,
        "unique": False,
        "max_length": None,
        "regex": None,
        "min_value": None,
        "max_value": None,
        "decimals_allowed": True,
        "rich_text": False,
        "metric_family": "Weight",
        "default_unit": "GRAM",
        "options": {},
    }
    return AttrSpec(**(fields | extra))


#: language → (price, number, metric, timestamp, date) as Babel writes them
EXPECTED = {
    "en": ("€1,234.50", "12,345.678", "12.5 kg", "Mar 14, 2026, 9:30\u202fAM UTC", "Mar 14, 2026"),
    "fr": ("1\u202f234,50\xa0€", "12\u202f345,678", "12,5 kg", "14 mars 2026, 09:30 TU",
           "14 mars 2026"),
    "de": ("1.234,50\xa0€", "12.345,678", "12,5 kg", "14.03.2026, 09:30 UTC", "14.03.2026"),
}  # fmt: skip


@pytest.mark.parametrize("language", EXPECTED)
def test_filters_format_for_the_ui_language(babel_app, language):
    price, number, metric, moment, day = EXPECTED[language]
    with force_locale(language):
        assert display.show_data([{"amount": "1234.50", "currency": "EUR"}]) == price
        assert display.show_number("12345.678") == number  # the stored precision is kept
        assert display.show_data({"amount": "12.5", "unit": "KILOGRAM"}) == metric
        assert display.show_time(MOMENT) == moment  # the time zone is always named
        assert display.show_time(MOMENT.replace(tzinfo=None)) == moment  # naive is UTC
        assert display.show_day(date(2026, 3, 14)) == display.show_day("2026-03-14") == day


def test_names_come_from_cldr_in_the_ui_language(babel_app):
    with force_locale("fr"):
        assert display.locale_name("de_DE") == "allemand (Allemagne)"
        assert display.territory_name("de") == "Allemagne"
        assert display.currency_name("EUR") == "euro"
        assert display.show_size(1_536_000) == "1,5 MB"
        assert display.show_percent(87) == "87\xa0%"


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [
        ("fr", "12,5", "12.5"),
        ("fr", "1 234,5", "1234.5"),
        ("fr", "12.5", "12.5"),  # pasted with a decimal point
        ("de", "1.234,5", "1234.5"),
        ("de", "12.5", "12.5"),  # a dot that cannot group thousands is a decimal point
        ("de", "1.234.567", "1234567"),
        ("en", "1,234.5", "1234.5"),
        ("en", "12,5", "12,5"),  # not a number in English: passed on for the service to refuse
    ],
)
def test_typed_numbers_are_read_in_the_ui_language(babel_app, language, typed, stored):
    with force_locale(language):
        assert forms.parse(spec("number"), typed, None) == stored


def test_the_form_shows_stored_numbers_in_the_ui_language(babel_app):
    with force_locale("fr"):
        metric = forms.raw_from_data(spec("metric"), {"amount": "12.345", "unit": "KILOGRAM"})
        prices = forms.raw_from_data(spec("price"), [{"amount": "15.00", "currency": "EUR"}])
    assert metric == {"amount": "12,345", "unit": "KILOGRAM"}
    assert prices == {"EUR": "15,00"}


def test_an_ambiguous_number_is_refused_naming_its_field(babel_app):
    form = MultiDict({"fields": "v.weight.~.~", "v.weight.~.~.amount": "1.234"})
    form["v.weight.~.~.unit"] = "GRAM"
    editable = {"v.weight.~.~": spec("metric")}
    with force_locale("de"), pytest.raises(forms.InputError) as refused:
        forms.values_payload(form, editable, {}, ())
    (problem,) = refused.value.problems
    assert problem == Problem(problem.message, attribute="weight")
    assert "1.234" in problem.message and "1234" in problem.message
    assert str(refused.value).startswith("weight: ")


def test_a_french_editor_reads_and_types_decimal_commas(catalog, logged_in_client):
    client = logged_in_client("editor")
    client.post("/account/language", data={"ui_locale": "fr"})
    page = html.unescape(client.get(URL).get_data(as_text=True))
    assert "19,90\xa0€" in page  # the product's price, read-only here
    saved = client.post(URL, data=_weight_form(1, "12,5"))
    assert saved.status_code == 302
    assert catalog.product("TS-CREW-RED-S").values["weight"] == value(
        {"amount": "12.5", "unit": "GRAM"}
    )
    page = client.get(URL).get_data(as_text=True)
    assert 'name="v.weight.~.~.amount" inputmode="decimal" value="12,5"' in page

    client.post("/account/language", data={"ui_locale": "de"})
    refused = client.post(URL, data=_weight_form(2, "1.234"))
    assert refused.status_code == 422  # the page again, the message beside the field
    shown = html.unescape(refused.get_data(as_text=True))
    assert 'value="1.234"' in shown and "1234" in shown  # the message says what it could mean
    assert catalog.product("TS-CREW-RED-S").values["weight"][0]["data"]["amount"] == "12.5"
    product_id = str(catalog.product("TS-CREW-RED-S").id)
    mass = {"id": product_id, "op": "set_value", "attribute": "weight", "value.amount": "1.234"}
    refused = client.post("/mass-edit/preview", data=mass | {"value.unit": "GRAM"})
    assert refused.status_code == 422 and "1234" in html.unescape(refused.get_data(as_text=True))


def _weight_form(version: int, amount: str) -> dict:
    return {
        "version": str(version),
        "fields": ["v.weight.~.~"],
        "v.weight.~.~.amount": amount,
        "v.weight.~.~.unit": "GRAM",
    }
