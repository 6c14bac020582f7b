"""Form parsing and value display, per attribute type (no database needed)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from pim.services.structure_cache import AttrSpec
from pim.web import forms
from pim.web.display import show_data


def spec(type_: str, **extra) -> AttrSpec:
    fields = {
        "id": 1,
        "code": "a",
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
        "metric_family": None,
        "default_unit": None,
        "options": {},
    }
    fields.update(extra)
    return AttrSpec(**fields)


def test_field_keys_round_trip():
    key = forms.field_key("name", "fr_FR", None)
    assert key == "v.name.fr_FR.~"
    assert forms.split_key(key) == ("name", "fr_FR", None)
    assert forms.split_key("v.description.en_US.ecommerce") == (
        "description",
        "en_US",
        "ecommerce",
    )
    assert forms.split_key("csrf_token") is None


@pytest.mark.parametrize(
    ("type_", "raw", "stored", "expected"),
    [
        ("text", "Shirt", None, "Shirt"),
        ("text", "", "Shirt", None),
        ("textarea", "a\r\nb", None, "a\nb"),
        ("number", " 12.5 ", None, "12.5"),
        ("date", "2025-01-31", None, "2025-01-31"),
        ("simple_select", "", "red", None),
        ("boolean", True, None, True),
        ("boolean", False, True, False),
        ("boolean", False, None, None),
        ("multi_select", ["b", "a"], ["a", "b"], ["a", "b"]),
        ("multi_select", ["c"], ["a"], ["c"]),
        ("multi_select", [], ["a"], None),
        ("metric", {"amount": " 500 ", "unit": "GRAM"}, None, {"amount": "500", "unit": "GRAM"}),
        ("metric", {"amount": "", "unit": "GRAM"}, {"amount": "1", "unit": "GRAM"}, None),
    ],
)
def test_parse_per_type(type_, raw, stored, expected):
    assert forms.parse(spec(type_), raw, stored) == expected


def test_prices_keep_currencies_the_form_did_not_show():
    stored = [{"amount": "19.90", "currency": "EUR"}, {"amount": "24.00", "currency": "USD"}]
    assert forms.parse(spec("price"), {"EUR": "21"}, stored) == [
        {"amount": "21", "currency": "EUR"},
        {"amount": "24.00", "currency": "USD"},
    ]
    assert forms.parse(spec("price"), {"EUR": "", "USD": ""}, stored) is None


def test_values_payload_reads_only_fields_listed_and_offered():
    editable = {"v.name.en_US.~": spec("text", code="name"), "v.ok.~.~": spec("boolean")}
    form = MultiDict(
        [
            ("fields", "v.name.en_US.~"),
            ("fields", "v.forged.~.~"),
            ("v.name.en_US.~", "Shirt"),
            ("v.forged.~.~", "x"),
            ("v.ok.~.~", "1"),  # not listed in fields: ignored
        ]
    )
    payload = forms.values_payload(form, editable, {}, ("EUR",))
    assert payload == {"name": [{"locale": "en_US", "scope": None, "data": "Shirt"}]}


def test_expected_version_must_be_a_positive_number():
    assert forms.expected_version(MultiDict({"version": "3"})) == 3
    for bad in ({}, {"version": "x"}, {"version": "0"}):
        with pytest.raises(forms.FormError):
            forms.expected_version(MultiDict(bad))


def test_show_data_shapes():
    assert show_data(None) == "—"
    assert show_data(False) == "No"
    assert show_data({"amount": "500", "unit": "GRAM"}) == "500 g"
    assert (
        show_data([{"amount": "19.90", "currency": "EUR"}]) == "€19.90"
    )  # Babel, English outside a request
    assert show_data(["a", "b"]) == "a, b"
    assert show_data("<b>x</b> &amp; y", rich_text=True) == "x & y"
    assert show_data("<p>One.</p><p>Two<br>three</p>", rich_text=True) == "One. Two three"
    assert show_data("<b>x</b>") == "<b>x</b>"  # plain text: escaped by the template
