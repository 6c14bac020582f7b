"""GTIN (EAN/UPC) identifiers: length and mod-10 check digit, as GS1 defines them.

GTIN-8 (EAN-8), GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14 (ITF-14) share one rule:
weight the digits 3, 1, 3, 1… from the right, starting with the digit left of the check
digit; the check digit brings the weighted sum up to a multiple of ten.
"""

from __future__ import annotations

from pim.i18n import N_, english

GTIN_LENGTHS = (8, 12, 13, 14)
_SEPARATORS = str.maketrans("", "", " -\u00a0\t")


def compute_check_digit(body: str) -> int:
    """The check digit for ``body``, a GTIN without its last digit (ASCII digits only)."""
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_problem(gtin: str) -> str | None:
    """Why ``gtin`` (already stripped of separators) is not a valid GTIN, or None if it is.

    The reason is a phrase to put after the attribute name, e.g.
    ``"check digit is wrong (4006381333932)"``.
    """
    if not (gtin.isascii() and gtin.isdigit()):
        return english(N_("must contain only digits (%(gtin)s)"), gtin=gtin)
    if len(gtin) not in GTIN_LENGTHS:
        return english(
            N_("must be 8, 12, 13 or 14 digits long, not %(length)s (%(gtin)s)"),
            length=len(gtin),
            gtin=gtin,
        )
    if compute_check_digit(gtin[:-1]) != int(gtin[-1]):
        return english(N_("check digit is wrong (%(gtin)s)"), gtin=gtin)
    return None


def check_digit_ok(gtin: str) -> bool:
    """True when ``gtin`` is a GTIN-8/12/13/14: digits only, a known length, right check digit."""
    return isinstance(gtin, str) and gtin_problem(gtin) is None


def strip_separators(text: str | int) -> str:
    """``text`` as a string without the spaces and dashes people put between digit groups."""
    return str(text).translate(_SEPARATORS)


def normalise_gtin(text: str | int | None) -> str | None:
    """The GTIN in ``text`` without spaces or dashes, or None when it is not a valid GTIN.

    Leading zeros are kept as given: a GTIN-12 is not padded to 13 or 14 digits, since
    Google Merchant Center accepts every length.
    """
    if text is None or isinstance(text, bool):
        return None
    gtin = strip_separators(text)
    return gtin if check_digit_ok(gtin) else None
