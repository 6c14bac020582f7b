"""``/api/v1/channels``, ``/locales``, ``/currencies`` and ``/association-types``: the
reference data of the catalogue, keyed by code.

As in the settings UI: a locale is added with POST and becomes *active* when a channel
uses it (PATCH the channel's ``locales``); a currency is added with POST and enabled or
disabled with PATCH (refused while a channel sells in it). Reading needs ``read``; every
write needs ``configure``.
"""

from __future__ import annotations

from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.numbers import get_currency_name
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pim.api import API_PREFIX, auth
from pim.api.resources import documented_errors
from pim.api.structure_schemas import (
    AssociationTypeCreateSchema,
    AssociationTypePageSchema,
    AssociationTypeSchema,
    AssociationTypeWriteSchema,
    ChannelCreateSchema,
    ChannelPageSchema,
    ChannelSchema,
    ChannelWriteSchema,
    CurrencyCreateSchema,
    CurrencyListArgs,
    CurrencyPageSchema,
    CurrencySchema,
    CurrencyWriteSchema,
    LocaleCreateSchema,
    LocaleListArgs,
    LocalePageSchema,
    LocaleSchema,
    StructureListArgs,
)
from pim.api.structured import (
    CONFIGURE,
    ETAG_HEADER,
    Entity,
    check_if_match,
    check_key,
    refusal_is_conflict,
    search_clause,
)
from pim.extensions import db
from pim.models import AssociationType, Channel, Currency, Locale
from pim.models.structure import channel_currency, channel_locale
from pim.services import structure

channels_blp = Blueprint(
    "channels-api",
    __name__,
    url_prefix=f"{API_PREFIX}/channels",
    description="Channels (the scopes of scopable values), keyed by code.",
)
locales_blp = Blueprint(
    "locales",
    __name__,
    url_prefix=f"{API_PREFIX}/locales",
    description="Locales; active when a channel uses them.",
)
currencies_blp = Blueprint(
    "currencies",
    __name__,
    url_prefix=f"{API_PREFIX}/currencies",
    description="ISO 4217 currencies, enabled or not.",
)
association_types_blp = Blueprint(
    "association-types",
    __name__,
    url_prefix=f"{API_PREFIX}/association-types",
    description="Kinds of links between products (cross_sell, upsell…), keyed by code.",
)
BLUEPRINTS = (channels_blp, locales_blp, currencies_blp, association_types_blp)


# --- channels ------------------------------------------------------------------------------


def _in_code_order(payload: dict) -> dict:
    """Locales and currencies in the order a channel keeps them (by code), so that the
    same lists in another order are no change (and record no version)."""
    return {
        **payload,
        **{
            key: sorted(dict.fromkeys(payload[key]))
            for key in ("locales", "currencies")
            if isinstance(payload.get(key), list)
        },
    }


def _create_channel(session, payload: dict, actor):
    return structure.create_channel(session, _in_code_order(payload), actor)


def _update_channel(session, channel: Channel, payload: dict, actor):
    return structure.update_channel(session, channel, _in_code_order(payload), actor)


CHANNEL = Entity(
    name="channel",
    model=Channel,
    state=structure.channel_state,
    endpoint="channels-api.ChannelItem",
    create=_create_channel,
    update=_update_channel,
)


@channels_blp.route("")
class ChannelCollection(MethodView):
    permissions = CONFIGURE

    @channels_blp.arguments(StructureListArgs, location="query", unknown=RAISE)
    @channels_blp.response(200, ChannelPageSchema)
    @documented_errors(channels_blp, 401, 403, 422)
    def get(self, args):
        """List channels"""
        query = select(Channel).options(
            selectinload(Channel.locales),
            selectinload(Channel.currencies),
            selectinload(Channel.category_tree),
        )
        if args.get("search"):
            query = query.where(search_clause(args["search"], Channel.code, Channel.labels))
        return CHANNEL.page(query, args)

    @channels_blp.arguments(ChannelCreateSchema)
    @channels_blp.response(201, ChannelSchema, headers=ETAG_HEADER)
    @documented_errors(channels_blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create a channel

        ``locales`` (at least one) activate those locales; ``category_tree`` is a root
        category. Completeness is computed for the new channel.
        """
        return CHANNEL.post(payload)


@channels_blp.route("/<code>")
class ChannelItem(MethodView):
    permissions = CONFIGURE

    @channels_blp.response(200, ChannelSchema, headers=ETAG_HEADER)
    @documented_errors(channels_blp, 304, 401, 403, 404)
    def get(self, code):
        """Get a channel"""
        return CHANNEL.respond(CHANNEL.get(code))

    @channels_blp.arguments(ChannelWriteSchema)
    @channels_blp.response(200, ChannelSchema, headers=ETAG_HEADER)
    @documented_errors(channels_blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Update a channel

        ``locales`` and ``currencies`` replace the lists (completeness is recomputed);
        the same payload twice records no new version.
        """
        return CHANNEL.patch(code, payload)


# --- locales -------------------------------------------------------------------------------


def locale_name(code: str) -> str:
    """``fr_FR`` → ``French (France)`` (CLDR); the code when CLDR does not know it."""
    try:
        return BabelLocale.parse(code).get_display_name("en") or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def _users(table, column, row_id: int) -> list[str]:
    """Codes of the channels linked to a locale or currency."""
    query = (
        select(Channel.code)
        .join(table, table.c.channel_id == Channel.id)
        .where(column == row_id)
        .order_by(Channel.code)
    )
    return list(db.session.scalars(query))


def locale_doc(locale: Locale) -> dict:
    channels = _users(channel_locale, channel_locale.c.locale_id, locale.id)
    return {
        "code": locale.code,
        "name": locale_name(locale.code),
        "active": bool(channels),
        "channels": channels,
    }


LOCALE = Entity(
    name="locale",
    model=Locale,
    state=locale_doc,
    endpoint="locales.LocaleItem",
    create=lambda session, payload, actor: structure.create_locale(session, payload["code"], actor),
)


@locales_blp.route("")
class LocaleCollection(MethodView):
    permissions = CONFIGURE

    @locales_blp.arguments(LocaleListArgs, location="query", unknown=RAISE)
    @locales_blp.response(200, LocalePageSchema)
    @documented_errors(locales_blp, 401, 403, 422)
    def get(self, args):
        """List locales

        ``active=true`` keeps those a channel uses; ``search`` looks in the codes.
        """
        query = select(Locale)
        if args.get("active") is not None:
            used = select(channel_locale.c.locale_id)
            query = query.where(Locale.id.in_(used) if args["active"] else ~Locale.id.in_(used))
        if args.get("search"):
            query = query.where(Locale.code.icontains(args["search"], autoescape=True))
        return LOCALE.page(query, args)

    @locales_blp.arguments(LocaleCreateSchema)
    @locales_blp.response(201, LocaleSchema, headers=ETAG_HEADER)
    @documented_errors(locales_blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Add a locale

        A CLDR code such as ``fr_FR``; it becomes active when a channel uses it (PATCH
        the channel's ``locales``). 409 when it exists.
        """
        return LOCALE.post(payload)


@locales_blp.route("/<code>")
class LocaleItem(MethodView):
    @locales_blp.response(200, LocaleSchema, headers=ETAG_HEADER)
    @documented_errors(locales_blp, 304, 401, 403, 404)
    def get(self, code):
        """Get a locale"""
        return LOCALE.respond(LOCALE.get(code))


# --- currencies ----------------------------------------------------------------------------


def currency_doc(currency: Currency) -> dict:
    return {
        "code": currency.code,
        "name": get_currency_name(currency.code, locale="en"),
        "enabled": currency.enabled,
        "channels": _users(channel_currency, channel_currency.c.currency_id, currency.id),
    }


CURRENCY = Entity(
    name="currency",
    model=Currency,
    state=currency_doc,
    endpoint="currencies.CurrencyItem",
    create=lambda session, payload, actor: structure.create_currency(
        session, payload["code"], actor
    ),
)


@currencies_blp.route("")
class CurrencyCollection(MethodView):
    permissions = CONFIGURE

    @currencies_blp.arguments(CurrencyListArgs, location="query", unknown=RAISE)
    @currencies_blp.response(200, CurrencyPageSchema)
    @documented_errors(currencies_blp, 401, 403, 422)
    def get(self, args):
        """List currencies"""
        query = select(Currency)
        if args.get("enabled") is not None:
            query = query.where(Currency.enabled.is_(args["enabled"]))
        if args.get("search"):
            query = query.where(Currency.code.icontains(args["search"], autoescape=True))
        return CURRENCY.page(query, args)

    @currencies_blp.arguments(CurrencyCreateSchema)
    @currencies_blp.response(201, CurrencySchema, headers=ETAG_HEADER)
    @documented_errors(currencies_blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Add a currency

        An ISO 4217 code such as ``EUR``, enabled. 409 when it exists.
        """
        return CURRENCY.post(payload)


@currencies_blp.route("/<code>")
class CurrencyItem(MethodView):
    permissions = CONFIGURE

    @currencies_blp.response(200, CurrencySchema, headers=ETAG_HEADER)
    @documented_errors(currencies_blp, 304, 401, 403, 404)
    def get(self, code):
        """Get a currency"""
        return CURRENCY.respond(CURRENCY.get(code))

    @currencies_blp.arguments(CurrencyWriteSchema)
    @currencies_blp.response(200, CurrencySchema, headers=ETAG_HEADER)
    @documented_errors(currencies_blp, 401, 403, 404, 409, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Enable or disable a currency

        Disabling is refused (409) while a channel sells in it.
        """
        currency = CURRENCY.get(code)
        check_key(payload, code)
        check_if_match(currency.id, currency_doc(currency))
        with refusal_is_conflict(f"currency {code!r}", "changed"):
            structure.set_currency_enabled(db.session, currency, payload["enabled"], auth.actor())
        db.session.commit()
        return CURRENCY.respond(currency)


# --- association types ---------------------------------------------------------------------


def association_type_state(kind: AssociationType) -> dict:
    return {"code": kind.code, "labels": kind.labels}


ASSOCIATION_TYPE = Entity(
    name="association type",
    model=AssociationType,
    state=association_type_state,
    endpoint="association-types.AssociationTypeItem",
    create=structure.create_association_type,
    update=structure.update_association_type,
    delete=structure.delete_association_type,
)


@association_types_blp.route("")
class AssociationTypeCollection(MethodView):
    permissions = CONFIGURE

    @association_types_blp.arguments(StructureListArgs, location="query", unknown=RAISE)
    @association_types_blp.response(200, AssociationTypePageSchema)
    @documented_errors(association_types_blp, 401, 403, 422)
    def get(self, args):
        """List association types"""
        query = select(AssociationType)
        if args.get("search"):
            clause = search_clause(args["search"], AssociationType.code, AssociationType.labels)
            query = query.where(clause)
        return ASSOCIATION_TYPE.page(query, args)

    @association_types_blp.arguments(AssociationTypeCreateSchema)
    @association_types_blp.response(201, AssociationTypeSchema, headers=ETAG_HEADER)
    @documented_errors(association_types_blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create an association type"""
        return ASSOCIATION_TYPE.post(payload)


@association_types_blp.route("/<code>")
class AssociationTypeItem(MethodView):
    permissions = CONFIGURE

    @association_types_blp.response(200, AssociationTypeSchema, headers=ETAG_HEADER)
    @documented_errors(association_types_blp, 304, 401, 403, 404)
    def get(self, code):
        """Get an association type"""
        return ASSOCIATION_TYPE.respond(ASSOCIATION_TYPE.get(code))

    @association_types_blp.arguments(AssociationTypeWriteSchema)
    @association_types_blp.response(200, AssociationTypeSchema, headers=ETAG_HEADER)
    @documented_errors(association_types_blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Update an association type's labels"""
        return ASSOCIATION_TYPE.patch(code, payload)

    @association_types_blp.response(204, description="Deleted")
    @documented_errors(association_types_blp, 401, 403, 404, 409, 412)
    def delete(self, code):
        """Delete an association type

        409 while products or models are linked with it.
        """
        return ASSOCIATION_TYPE.remove(code)
