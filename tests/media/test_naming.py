"""Naming rules: file names read as product codes, roles and orders."""

import pytest

from dam.naming import (
    DEFAULT_RULES,
    ROLES,
    NameMatch,
    NamingRule,
    PatternError,
    base_name,
    compile_rule,
    match_all,
    match_first,
)


def reading(found: NameMatch | None):
    """The interesting part of a match, for compact assertions."""
    if found is None:
        return None
    return (found.sku, found.model, found.color, found.role, found.order)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        # {sku}_{role}_{order}
        ("TS-01_front_2.jpg", ("TS-01", None, None, "main", 2)),
        ("TS-01_detail_03.png", ("TS-01", None, None, "detail", 3)),
        ("TS_01_on_model_1.jpg", ("TS_01", None, None, "on_model", 1)),
        # {sku}_{role}
        ("TS-01_swatch.jpg", ("TS-01", None, None, "swatch", None)),
        ("TS-01_size_chart.pdf", ("TS-01", None, None, "size_chart", None)),
        # {sku}_{order}: order 1 without a role is the main picture, the others gallery
        ("TS-01_1.jpg", ("TS-01", None, None, "main", 1)),
        ("TS-01_002.jpg", ("TS-01", None, None, "gallery", 2)),
        # {model}-{color}-{order}
        ("TSHIRT-RED-2.jpg", (None, "TSHIRT", "RED", "gallery", 2)),
        ("TSHIRT-01-RED-1.jpg", (None, "TSHIRT-01", "RED", "main", 1)),
        # {sku}
        ("TS-01.jpg", ("TS-01", None, None, "gallery", None)),
        ("TS.01.A.jpeg", ("TS.01.A", None, None, "gallery", None)),
        ("IMG_20240101.jpg", ("IMG_20240101", None, None, "gallery", None)),  # not an order
    ],
)
def test_default_rules(filename, expected):
    assert reading(match_first(DEFAULT_RULES, filename)) == expected


def test_match_keeps_the_raw_fields():
    found = match_first(DEFAULT_RULES, "TS-01_Front_02.jpg")
    assert found.fields == {"sku": "TS-01", "role": "Front", "order": "02"}
    assert found.role == "main" and found.order == 2


@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("main", "main"),
        ("front", "main"),
        ("packshot", "main"),
        ("gallery", "gallery"),
        ("back", "gallery"),
        ("side", "gallery"),
        ("alt", "gallery"),
        ("model", "on_model"),
        ("onmodel", "on_model"),
        ("on-model", "on_model"),
        ("on_model", "on_model"),
        ("zoom", "detail"),
        ("closeup", "detail"),
        ("detail", "detail"),
        ("sizechart", "size_chart"),
        ("size-chart", "size_chart"),
        ("spec", "spec_sheet"),
        ("specsheet", "spec_sheet"),
        ("datasheet", "spec_sheet"),
        ("spec_sheet", "spec_sheet"),
        ("swatch", "swatch"),
    ],
)
def test_role_aliases(word, role):
    found = compile_rule("{sku}_{role}").match(f"TS-01_{word}.jpg")
    assert (found.sku, found.role) == ("TS-01", role)


def test_every_role_is_accepted_by_name():
    rule = compile_rule("{sku}_{role}")
    assert [rule.match(f"A1_{role}").role for role in ROLES] == list(ROLES)


def test_matching_ignores_case_unless_asked():
    assert reading(compile_rule("{sku}-IMG-{role}").match("ts-01-img-ZOOM.JPG")) == (
        "ts-01",
        None,
        None,
        "detail",
        None,
    )
    strict = compile_rule("{sku}-IMG-{role}", case_sensitive=True)
    assert strict.match("TS-01-img-zoom.jpg") is None
    assert strict.match("TS-01-IMG-ZOOM.jpg") is None
    assert strict.match("TS-01-IMG-zoom.jpg").role == "detail"


def test_folders_and_extensions_are_ignored():
    rule = compile_rule("{sku}_{order}")
    assert reading(rule.match("shoot/2024/TS-01_3.jpg")) == ("TS-01", None, None, "gallery", 3)
    assert reading(rule.match("C:\\shoot\\TS-01_3.TIFF")) == ("TS-01", None, None, "gallery", 3)
    assert reading(rule.match("TS-01_3")) == ("TS-01", None, None, "gallery", 3)
    assert base_name("a/b/.hidden") == ".hidden"
    assert base_name("a/archive.tar.gz") == "archive.tar"


def test_default_role_and_first_is_main():
    swatches = compile_rule("{sku}_sw{order}", default_role="swatch", first_is_main=False)
    assert reading(swatches.match("TS-01_sw1.jpg")) == ("TS-01", None, None, "swatch", 1)
    assert compile_rule("{sku}_sw{order}", default_role="swatch").match("TS-01_sw1").role == "main"
    assert compile_rule("{sku}", default_role="detail").match("TS-01").role == "detail"
    assert compile_rule("{sku}_{role}_{order}").match("TS-01_back_1").role == "gallery"


def test_raw_regex_rules():
    rule = compile_rule(r"re:(?P<sku>[A-Z]{2}\d{3})(?:-(?P<role>[a-z]+))?(?:-(?P<order>\d+))?")
    assert reading(rule.match("ab123-zoom-4.jpg")) == ("ab123", None, None, "detail", 4)
    assert reading(rule.match("AB123.jpg")) == ("AB123", None, None, "gallery", None)
    assert rule.match("AB123-dancing.jpg") is None  # not a role
    assert rule.match("AB1234.jpg") is None  # the whole base name must match
    loose = compile_rule(r"re:(?P<model>\w+)~(?P<order>\w+)")
    assert loose.match("TSHIRT~x") is None  # not a number
    assert reading(loose.match("TSHIRT~7")) == (None, "TSHIRT", None, "gallery", 7)


def test_ambiguous_names_resolve_to_the_shortest_codes_from_the_left():
    # The documented choice: placeholders are non-greedy except the last one.
    model_rule = compile_rule("{model}-{color}-{order}")
    assert reading(model_rule.match("TSHIRT-01-2")) == (None, "TSHIRT", "01", "gallery", 2)
    assert reading(model_rule.match("TSHIRT-01-RED-2")) == (None, "TSHIRT-01", "RED", "gallery", 2)
    assert reading(compile_rule("{sku}_{order}").match("TS_001")) == ("TS", None, None, "main", 1)
    assert reading(compile_rule("{sku}_{order}").match("TS_001_2")) == (
        "TS_001",
        None,
        None,
        "gallery",
        2,
    )
    assert reading(compile_rule("{sku}-{model}").match("A-B-C")) == (
        "A",
        "B-C",
        None,
        "gallery",
        None,
    )


def test_match_all_lists_every_reading_in_rule_order():
    assert [reading(found) for found in match_all(DEFAULT_RULES, "TS_001.jpg")] == [
        ("TS", None, None, "main", 1),
        ("TS_001", None, None, "gallery", None),
    ]


@pytest.mark.parametrize(
    "filename",
    ["", ".jpg", ".DS_Store", "TS 01.jpg", "-TS01.jpg", "_front.jpg", "photo (1).jpg", "é€.jpg"],
)
def test_names_that_match_nothing(filename):
    assert match_first(DEFAULT_RULES, filename) is None


def test_unicode_letters_are_codes():
    assert match_first(DEFAULT_RULES, "ÉTÉ-01.jpg").sku == "ÉTÉ-01"


def test_rules_without_roles_or_orders_do_not_match_them():
    assert compile_rule("{sku}_{role}").match("TS-01_dancing.jpg") is None
    assert compile_rule("{sku}_{order}").match("TS-01_12345.jpg") is None  # 5 digits
    assert compile_rule("{model}-{color}").match("TSHIRT-red_2") is None


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "{model}-{colour}",
            "unknown placeholder {colour} in '{model}-{colour}'; use one of sku, model, "
            "color, role, order",
        ),
        (
            "{sku}_{}",
            "unknown placeholder {} in '{sku}_{}'; use one of sku, model, color, role, order",
        ),
        ("{sku}_{sku}", "placeholder {sku} appears more than once in '{sku}_{sku}'"),
        ("{color}-{order}", "'{color}-{order}' has no {sku} or {model} placeholder to link files"),
        ("", "'' has no {sku} or {model} placeholder"),
        ("{sku}{order}", "placeholders {sku} and {order} need a separator between them"),
        ("{sku", "unbalanced brace in '{sku'"),
        ("sku}_x", "unbalanced brace in 'sku}_x'"),
        ("re:(?P<sku>[A-Z", "invalid regular expression in 're:(?P<sku>[A-Z': unterminated"),
        ("re:(?P<colour>\\w+)", "unknown group (?P<colour>) in 're:(?P<colour>\\w+)'"),
        ("re:\\w+", "'re:\\w+' has no (?P<sku>…) or (?P<model>…) group"),
    ],
)
def test_bad_patterns_are_refused(pattern, message):
    with pytest.raises(PatternError) as caught:
        compile_rule(pattern)
    assert str(caught.value).startswith(message)


def test_unknown_default_role_is_refused():
    with pytest.raises(PatternError, match="unknown default role 'hero'; use one of main, "):
        NamingRule("{sku}", default_role="hero")


def test_rules_compare_by_settings():
    assert compile_rule("{sku}") == NamingRule("{sku}")
    assert compile_rule("{sku}") != NamingRule("{sku}", default_role="detail")
    assert DEFAULT_RULES[0].pattern == "{sku}_{role}_{order}"
