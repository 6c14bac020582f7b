"""GTIN check digits: every length Google accepts, and each way a GTIN can be wrong."""

from __future__ import annotations

import pytest

from channels.formats.gtin import check_digit_ok, compute_check_digit, gtin_problem, normalise_gtin

VALID = {
    "GTIN-8": "96385074",
    "GTIN-12": "036000291452",
    "GTIN-13": "4006381333931",
    "GTIN-14": "10012345678902",
}


@pytest.mark.parametrize("gtin", VALID.values(), ids=VALID.keys())
def test_published_gtins_of_every_length_are_valid(gtin):
    assert check_digit_ok(gtin)
    assert normalise_gtin(gtin) == gtin


@pytest.mark.parametrize("gtin", VALID.values(), ids=VALID.keys())
def test_every_other_check_digit_is_rejected(gtin):
    for digit in "0123456789":
        if digit != gtin[-1]:
            assert not check_digit_ok(gtin[:-1] + digit)


def test_the_check_digit_is_computed_from_the_body():
    assert compute_check_digit("400638133393") == 1
    assert compute_check_digit("03600029145") == 2


@pytest.mark.parametrize(
    ("gtin", "reason"),
    [
        ("4006381333932", "check digit is wrong (4006381333932)"),
        ("40063813339A1", "must contain only digits (40063813339A1)"),
        ("４００６３８１３３３９３１", "must contain only digits"),  # full-width digits
        ("", "must contain only digits"),
        ("1234567", "must be 8, 12, 13 or 14 digits long, not 7"),
        ("40063813339310", "check digit is wrong"),  # 14 digits but not a real GTIN-14
        ("400638133393100", "must be 8, 12, 13 or 14 digits long, not 15"),
        ("12345678901", "must be 8, 12, 13 or 14 digits long, not 11"),
    ],
)
def test_invalid_gtins_say_why(gtin, reason):
    assert not check_digit_ok(gtin)
    assert reason in gtin_problem(gtin)
    assert normalise_gtin(gtin) is None


def test_normalise_strips_spaces_and_dashes():
    assert normalise_gtin(" 400-6381 333931 ") == "4006381333931"
    assert normalise_gtin("0 36000 29145 2") == "036000291452"


def test_normalise_accepts_an_int_but_does_not_invent_leading_zeros():
    assert normalise_gtin(4006381333931) == "4006381333931"
    # The UPC 036000291452 read as a number lost its zero: 11 digits, so not a GTIN.
    assert normalise_gtin(36000291452) is None


@pytest.mark.parametrize("value", [None, True, "not a gtin", "4006381333932"])
def test_normalise_returns_none_for_anything_invalid(value):
    assert normalise_gtin(value) is None


def test_check_digit_ok_refuses_non_strings():
    assert not check_digit_ok(4006381333931)
