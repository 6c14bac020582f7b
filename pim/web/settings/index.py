"""The settings home page: one card per area, with how many entries each holds."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from pim.extensions import db
from pim.models import (
    AssociationType,
    Attribute,
    AttributeGroup,
    Category,
    Channel,
    Currency,
    Family,
    FamilyVariant,
    Locale,
    User,
)
from pim.web.blueprint import bp
from pim.web.settings.common import configure

#: (endpoint, title, what it configures, model counted), in the order of the page
AREAS = (
    ("web.settings_attributes", "Attributes", "Typed properties and options.", Attribute),
    ("web.settings_attribute_groups", "Attribute groups", "Editor sections.", AttributeGroup),
    ("web.settings_families", "Families", "Attribute sets and requirements.", Family),
    ("web.settings_family_variants", "Family variants", "Axes and levels.", FamilyVariant),
    ("web.settings_categories", "Categories", "Category trees.", Category),
    ("web.settings_channels", "Channels", "Locales, currencies, category tree.", Channel),
    ("web.settings_locales", "Locales", "Content languages.", Locale),
    ("web.settings_currencies", "Currencies", "Currencies of prices.", Currency),
    ("web.settings_association_types", "Association types", "Cross-sell, upsell…", AssociationType),
    ("web.settings_users", "Users and roles", "Accounts, roles, API tokens.", User),
)


@bp.get("/settings")
@configure
def settings():
    """Links to every settings area."""
    cards = [
        (endpoint, title, text, db.session.scalar(select(func.count()).select_from(model)))
        for endpoint, title, text, model in AREAS
    ]
    return render_template("settings/index.html", cards=cards)
