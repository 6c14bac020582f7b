"""The settings home page: one card per area, with how many entries each holds."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
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
    WebhookSubscription,
)
from pim.web.blueprint import bp
from pim.web.settings.common import configure

#: (endpoint, title, what it configures, model counted), in the order of the page
AREAS = (
    ("web.settings_attributes", _l("Attributes"), _l("Typed properties and options."), Attribute),
    (
        "web.settings_attribute_groups",
        _l("Attribute groups"),
        _l("Editor sections."),
        AttributeGroup,
    ),
    ("web.settings_families", _l("Families"), _l("Attribute sets and requirements."), Family),
    ("web.settings_family_variants", _l("Family variants"), _l("Axes and levels."), FamilyVariant),
    ("web.settings_categories", _l("Categories"), _l("Category trees."), Category),
    ("web.settings_channels", _l("Channels"), _l("Locales, currencies, category tree."), Channel),
    ("web.settings_locales", _l("Locales"), _l("Content languages."), Locale),
    ("web.settings_currencies", _l("Currencies"), _l("Currencies of prices."), Currency),
    (
        "web.settings_association_types",
        _l("Association types"),
        _l("Cross-sell, upsell…"),
        AssociationType,
    ),
    ("web.settings_users", _l("Users and roles"), _l("Accounts, roles, API tokens."), User),
    (
        "web.settings_webhooks",
        _l("Webhooks"),
        _l("Signed event POSTs to other systems."),
        WebhookSubscription,
    ),
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
