"""Metric unit families and conversion (unit codes follow Akeneo's measurement codes)."""

from __future__ import annotations

from decimal import Decimal

#: family → {unit: factor to the family's standard unit}
UNIT_FAMILIES: dict[str, dict[str, Decimal]] = {
    "Weight": {
        "MILLIGRAM": Decimal("0.001"),
        "GRAM": Decimal("1"),
        "KILOGRAM": Decimal("1000"),
        "OUNCE": Decimal("28.349523125"),
        "POUND": Decimal("453.59237"),
    },
    "Length": {
        "MILLIMETER": Decimal("0.001"),
        "CENTIMETER": Decimal("0.01"),
        "METER": Decimal("1"),
        "INCH": Decimal("0.0254"),
        "FOOT": Decimal("0.3048"),
    },
    "Volume": {
        "MILLILITER": Decimal("0.001"),
        "LITER": Decimal("1"),
    },
}

#: Short symbols shown in the UI and feeds.
UNIT_SYMBOLS = {
    "MILLIGRAM": "mg",
    "GRAM": "g",
    "KILOGRAM": "kg",
    "OUNCE": "oz",
    "POUND": "lb",
    "MILLIMETER": "mm",
    "CENTIMETER": "cm",
    "METER": "m",
    "INCH": "in",
    "FOOT": "ft",
    "MILLILITER": "ml",
    "LITER": "l",
}


def convert(amount: Decimal, unit: str, target: str, family: str) -> Decimal:
    """Convert ``amount`` from ``unit`` to ``target`` within ``family``."""
    units = UNIT_FAMILIES[family]
    return amount * units[unit] / units[target]
