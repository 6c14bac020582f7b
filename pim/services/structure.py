"""Writes to the catalogue structure: locales, currencies, channels, attribute groups,
attributes and options, families and family variants, categories, association types.

Each write validates, records a version of the entity, and — when the change can alter
completeness (requirements, family attributes, channel locales or currencies, attribute
deletion) — recomputes the stored completeness in the same transaction.
"""

from __future__ import annotations

import functools
import re

from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.numbers import is_currency
from flask_babel import gettext as _
from sqlalchemy import String, cast, func, literal, select

from pim.models import (
    Association,
    AssociationType,
    Attribute,
    AttributeGroup,
    AttributeOption,
    AttributeType,
    Category,
    Channel,
    Currency,
    Family,
    FamilyRequirement,
    FamilyVariant,
    FamilyVariantAttribute,
    Locale,
    Product,
    ProductModel,
)
from pim.services import completeness, history
from pim.services.actors import Actor
from pim.services.errors import InvalidData, NotFound, Problem
from pim.services.structure_cache import Structure, bump_revision
from pim.units import UNIT_FAMILIES

CODE_RE = re.compile(r"^[A-Za-z0-9_]{1,100}$")
AXIS_TYPES = {"simple_select", "boolean", "metric", "number"}
SWATCH_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _atomic(func):
    """Run a structure write in a savepoint: a refusal leaves nothing half-added."""

    @functools.wraps(func)
    def wrapper(session, *args, **kwargs):
        with session.begin_nested():
            return func(session, *args, **kwargs)

    return wrapper


def _fail(subject: str, *problems: Problem):
    raise InvalidData(subject, list(problems))


def _check_code(session, subject, code, model, column) -> None:
    if not isinstance(code, str) or not CODE_RE.match(code):
        _fail(
            subject,
            Problem(_("a code of letters, digits and _ (at most 100) is required"), field="code"),
        )
    if session.scalar(select(model.id).where(column == code)) is not None:
        _fail(subject, Problem(_("%(code)r is already used", code=code), field="code"))


def _labels(subject, labels) -> dict:
    if labels is None:
        return {}
    if not isinstance(labels, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= 255 and "\x00" not in v
        for k, v in labels.items()
    ):
        _fail(
            subject,
            Problem(_("labels must map locale codes to texts (≤ 255 characters)"), field="labels"),
        )
    return {k: v for k, v in labels.items() if v}


def _get(session, model, code, what: str, field: str | None = None):
    obj = session.scalar(select(model).where(model.code == code)) if code else None
    if obj is None:
        raise (
            NotFound(f"unknown {what} {code!r}")
            if field is None
            else InvalidData(
                what, [Problem(_("unknown %(what)s %(code)r", what=what, code=code), field=field)]
            )
        )
    return obj


def _record(session, resource_type, entity, snapshot, actor, before=None):
    bump_revision(session)
    return history.record(
        session,
        resource_type=resource_type,
        resource_id=entity.id,
        resource_key=entity.code,
        snapshot=snapshot,
        before=before,
        actor=actor,
    )


# --- locales and currencies -------------------------------------------------------------


@_atomic
def create_locale(session, code: str, actor: Actor) -> Locale:
    """Add a locale such as ``fr_FR`` (validated against CLDR)."""
    subject = f"locale {code!r}"
    try:
        BabelLocale.parse(code)
    except (ValueError, TypeError, UnknownLocaleError):
        _fail(subject, Problem(_("is not a known locale code such as en_US"), field="code"))
    _check_code(session, subject, code, Locale, Locale.code)
    locale = Locale(code=code)
    session.add(locale)
    session.flush()
    _record(session, "locale", locale, {"code": code}, actor)
    return locale


@_atomic
def create_currency(session, code: str, actor: Actor) -> Currency:
    """Add an ISO 4217 currency such as ``EUR``."""
    subject = f"currency {code!r}"
    if not isinstance(code, str) or not code.isupper() or not is_currency(code):
        _fail(subject, Problem(_("is not an ISO 4217 currency code"), field="code"))
    _check_code(session, subject, code, Currency, Currency.code)
    currency = Currency(code=code, enabled=True)
    session.add(currency)
    session.flush()
    _record(session, "currency", currency, {"code": code, "enabled": True}, actor)
    return currency


# --- channels -----------------------------------------------------------------------------


def channel_state(channel: Channel) -> dict:
    return {
        "code": channel.code,
        "labels": channel.labels,
        "locales": channel.locale_codes,
        "currencies": channel.currency_codes,
        "category_tree": channel.category_tree.code if channel.category_tree else None,
    }


@_atomic
def create_channel(session, payload: dict, actor: Actor) -> Channel:
    """Create a channel: ``code``, ``labels``, ``locales``, ``currencies``, ``category_tree``."""
    subject = f"channel {payload.get('code')!r}"
    _check_code(session, subject, payload.get("code"), Channel, Channel.code)
    channel = Channel(code=payload["code"], labels={})
    session.add(channel)
    _apply_channel(session, channel, payload, subject)
    _record(session, "channel", channel, channel_state(channel), actor)
    completeness.refresh_all(session, Structure.current(session))
    return channel


@_atomic
def update_channel(session, channel: Channel, payload: dict, actor: Actor):
    """Change labels, locales, currencies or tree; completeness is recomputed."""
    before = channel_state(channel)
    _apply_channel(session, channel, payload, f"channel {channel.code!r}")
    version = _record(session, "channel", channel, channel_state(channel), actor, before)
    if version is not None and (version.changes.keys() & {"locales", "currencies"}):
        completeness.refresh_all(session, Structure.current(session))
    return version


def _apply_channel(session, channel, payload, subject) -> None:
    if "labels" in payload:
        channel.labels = _labels(subject, payload["labels"])
    if "locales" in payload:
        channel.locales = _many(session, Locale, payload["locales"], subject, "locales")
        if not channel.locales:
            _fail(subject, Problem(_("a channel needs at least one locale"), field="locales"))
    if "currencies" in payload:
        channel.currencies = _many(session, Currency, payload["currencies"], subject, "currencies")
    if "category_tree" in payload:
        tree = payload["category_tree"]
        channel.category_tree = (
            _get(session, Category, tree, "category", "category_tree") if tree else None
        )
        if channel.category_tree is not None and channel.category_tree.parent_id is not None:
            _fail(subject, Problem(_("must be the root of a category tree"), field="category_tree"))
    session.flush()


def _many(session, model, codes, subject, field):
    if not isinstance(codes, list):
        _fail(subject, Problem(_("must be a list of codes"), field=field))
    found = {o.code: o for o in session.scalars(select(model).where(model.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        _fail(
            subject,
            Problem(_("unknown: %(codes)s", codes=", ".join(map(str, unknown))), field=field),
        )
    return [found[c] for c in dict.fromkeys(codes)]


# --- attribute groups, attributes, options ---------------------------------------------------


@_atomic
def create_attribute_group(session, payload: dict, actor: Actor) -> AttributeGroup:
    """Create an attribute group: ``code``, ``labels``, ``sort_order``."""
    subject = f"attribute group {payload.get('code')!r}"
    _check_code(session, subject, payload.get("code"), AttributeGroup, AttributeGroup.code)
    group = AttributeGroup(
        code=payload["code"],
        labels=_labels(subject, payload.get("labels")),
        sort_order=int(payload.get("sort_order", 0)),
    )
    session.add(group)
    session.flush()
    _record(
        session,
        "attribute_group",
        group,
        {"code": group.code, "labels": group.labels, "sort_order": group.sort_order},
        actor,
    )
    return group


RULE_FIELDS = ("max_length", "regex", "min_value", "max_value", "decimals_allowed")


def attribute_state(attr: Attribute) -> dict:
    return {
        "code": attr.code,
        "type": attr.type,
        "group": attr.group.code,
        "labels": attr.labels,
        "sort_order": attr.sort_order,
        "localizable": attr.localizable,
        "scopable": attr.scopable,
        "unique": attr.is_unique,
        "max_length": attr.max_length,
        "regex": attr.regex,
        "min_value": attr.min_value,
        "max_value": attr.max_value,
        "decimals_allowed": attr.decimals_allowed,
        "rich_text": attr.rich_text,
        "metric_family": attr.metric_family,
        "default_unit": attr.default_unit,
        "sources": attr.sources,
        "options": [
            {"code": o.code, "labels": o.labels, "sort_order": o.sort_order, "swatch": o.swatch}
            for o in attr.options
        ],
    }


@_atomic
def create_attribute(session, payload: dict, actor: Actor) -> Attribute:
    """Create a typed attribute (see :func:`attribute_state` for the fields)."""
    subject = f"attribute {payload.get('code')!r}"
    _check_code(session, subject, payload.get("code"), Attribute, Attribute.code)
    kind = payload.get("type")
    if kind not in {t.value for t in AttributeType}:
        _fail(subject, Problem(_("unknown type %(kind)r", kind=kind), field="type"))
    localizable, scopable = bool(payload.get("localizable")), bool(payload.get("scopable"))
    unique = bool(payload.get("unique"))
    if kind == "identifier":
        if session.scalar(select(Attribute.id).where(Attribute.type == "identifier")):
            _fail(
                subject,
                Problem(_("the catalogue already has an identifier attribute"), field="type"),
            )
        localizable, scopable, unique = False, False, True
    if unique and (localizable or scopable or kind not in {"identifier", "text", "number", "date"}):
        _fail(
            subject,
            Problem(
                _(
                    "only non-localizable, non-scopable text, number or date attributes can be "
                    "unique"
                ),
                field="unique",
            ),
        )
    group = _get(session, AttributeGroup, payload.get("group"), "attribute group", "group")
    attr = Attribute(
        code=payload["code"],
        type=kind,
        localizable=localizable,
        scopable=scopable,
        is_unique=unique,
        labels={},
    )
    session.add(attr)
    attr.group = group
    _apply_attribute(session, attr, payload, subject)
    session.flush()
    _set_options(session, attr, payload.get("options", []), subject)
    _record(session, "attribute", attr, attribute_state(attr), actor)
    return attr


@_atomic
def update_attribute(session, attr: Attribute, payload: dict, actor: Actor):
    """Change labels, group, order and validation rules (type and scope are fixed)."""
    subject = f"attribute {attr.code!r}"
    fixed = [
        k
        for k in ("code", "type", "localizable", "scopable", "unique", "metric_family")
        if k in payload and payload[k] != attribute_state(attr)[k]
    ]
    if fixed:
        _fail(subject, *[Problem(_("cannot be changed after creation"), field=k) for k in fixed])
    before = attribute_state(attr)
    if "group" in payload:
        attr.group = _get(session, AttributeGroup, payload["group"], "attribute group", "group")
    _apply_attribute(session, attr, payload, subject)
    if "options" in payload:
        _set_options(session, attr, payload["options"], subject, replace=True)
    session.flush()
    return _record(session, "attribute", attr, attribute_state(attr), actor, before)


def _apply_attribute(session, attr, payload, subject) -> None:
    if "labels" in payload:
        attr.labels = _labels(subject, payload["labels"])
    if "sort_order" in payload:
        attr.sort_order = int(payload["sort_order"] or 0)
    if "rich_text" in payload:
        attr.rich_text = bool(payload["rich_text"]) and attr.type == "textarea"
    if "max_length" in payload:
        limit = payload["max_length"]
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            _fail(subject, Problem(_("must be a positive whole number"), field="max_length"))
        attr.max_length = limit
    if "regex" in payload:
        try:
            re.compile(payload["regex"] or "")
        except re.error as error:
            _fail(
                subject,
                Problem(_("invalid regular expression: %(error)s", error=error), field="regex"),
            )
        attr.regex = payload["regex"] or None
    for bound in ("min_value", "max_value"):
        if bound in payload:
            attr.__setattr__(bound, _bound(subject, bound, payload[bound]))
    if "decimals_allowed" in payload:
        attr.decimals_allowed = bool(payload["decimals_allowed"])
    if "sources" in payload:
        attr.sources = _sources(subject, payload["sources"])
    if attr.type == "metric":
        family = payload.get("metric_family", attr.metric_family)
        unit = payload.get("default_unit", attr.default_unit)
        if family not in UNIT_FAMILIES or unit not in UNIT_FAMILIES[family]:
            _fail(
                subject,
                Problem(
                    _(
                        "metric attributes need a unit family (%(unit_families)s) and one of its "
                        "units",
                        unit_families=", ".join(UNIT_FAMILIES),
                    ),
                    field="metric_family",
                ),
            )
        attr.metric_family, attr.default_unit = family, unit


_SOURCE = re.compile(r"^[a-z][a-z_]*(:[a-z0-9*][a-z0-9_.*-]*)?$")


def _sources(subject, sources) -> list[str] | None:
    """An attribute's import precedence: source names, highest first, or None (default)."""
    if sources is None or sources == []:
        return None
    if not isinstance(sources, list) or not all(
        isinstance(s, str) and _SOURCE.match(s) for s in sources
    ):
        _fail(
            subject,
            Problem(
                _("must be a list of sources such as erp, plm, ui, supplier:acme or supplier:*"),
                field="sources",
            ),
        )
    if len(set(sources)) != len(sources):
        _fail(subject, Problem(_("lists a source twice"), field="sources"))
    return list(sources)


def _bound(subject, field, value):
    if value in (None, ""):
        return None
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value))
    except InvalidOperation:
        _fail(subject, Problem(_("%(value)r is not a number", value=value), field=field))
    if not number.is_finite():
        _fail(subject, Problem(_("%(value)r is not a finite number", value=value), field=field))
    return str(number)


def _set_options(session, attr, options, subject, replace=False) -> None:
    if options and attr.type not in ("simple_select", "multi_select"):
        _fail(subject, Problem(_("only select attributes have options"), field="options"))
    if not isinstance(options, list):
        _fail(subject, Problem(_("must be a list"), field="options"))
    wanted = {}
    for i, opt in enumerate(options):
        code = opt.get("code") if isinstance(opt, dict) else None
        if not isinstance(code, str) or not CODE_RE.match(code) or code in wanted:
            _fail(
                subject,
                Problem(
                    _("option %(i)s: a unique code of letters, digits and _ is required", i=i + 1),
                    field="options",
                ),
            )
        swatch = opt.get("swatch")
        if swatch and not SWATCH_RE.match(swatch):
            _fail(
                subject,
                Problem(_("option %(code)s: swatch must be #rrggbb", code=code), field="options"),
            )
        wanted[code] = opt
    current = {o.code: o for o in attr.options}
    if replace:
        for code in current.keys() - wanted.keys():
            _refuse_if_option_used(session, attr, code, subject)
            attr.options.remove(current[code])
    for i, (code, opt) in enumerate(wanted.items()):
        option = current.get(code) or AttributeOption(code=code)
        option.labels = _labels(subject, opt.get("labels"))
        option.sort_order = int(opt.get("sort_order", i))
        option.swatch = opt.get("swatch") or None
        if option not in attr.options:
            attr.options.append(option)
    session.flush()


@_atomic
def add_option(session, attr: Attribute, option: dict, actor: Actor):
    """Add (or update) one option of a select attribute."""
    before = attribute_state(attr)
    others = [o for o in before["options"] if o["code"] != option.get("code")]
    _set_options(session, attr, [*others, option], f"attribute {attr.code!r}")
    return _record(session, "attribute", attr, attribute_state(attr), actor, before)


@_atomic
def remove_option(session, attr: Attribute, code: str, actor: Actor):
    """Remove an option; refused while products or models still use it."""
    before = attribute_state(attr)
    remaining = [o for o in before["options"] if o["code"] != code]
    if len(remaining) == len(before["options"]):
        raise NotFound(_("attribute %(code)r has no option %(code2)r", code=attr.code, code2=code))
    _set_options(session, attr, remaining, f"attribute {attr.code!r}", replace=True)
    return _record(session, "attribute", attr, attribute_state(attr), actor, before)


def _holders_of(session, attr_code: str, needle: str | None = None):
    """Identifiers/codes of products and models with a value for ``attr_code``.

    A text prefilter on the JSON narrows the scan; the match is confirmed in Python.
    """
    pattern = f'%"{attr_code}"%'
    for model, key in ((Product, Product.identifier), (ProductModel, ProductModel.code)):
        query = select(key, model.values).where(cast(model.values, String).like(pattern))
        if needle is not None:
            query = query.where(cast(model.values, String).like(f'%"{needle}"%'))
        for holder, values in session.execute(query):
            for entry in (values or {}).get(attr_code, []):
                data = entry["data"]
                if needle is None or data == needle or (isinstance(data, list) and needle in data):
                    yield holder
                    break


def _refuse_if_option_used(session, attr, code, subject) -> None:
    users = list(_holders_of(session, attr.code, code))
    if users:
        _fail(
            subject,
            Problem(
                _(
                    "option %(code)r is used by %(count)s products/models (e.g. %(examples)s); "
                    "change them first",
                    code=code,
                    count=len(users),
                    examples=", ".join(users[:3]),
                ),
                field="options",
            ),
        )


@_atomic
def delete_attribute(session, attr: Attribute, actor: Actor) -> None:
    """Delete an attribute that no product or model uses; completeness is recomputed."""
    subject = f"attribute {attr.code!r}"
    users = list(_holders_of(session, attr.code))
    if users:
        _fail(
            subject,
            Problem(
                _(
                    "has values in %(count)s products/models (e.g. %(examples)s); remove them "
                    "first",
                    count=len(users),
                    examples=", ".join(users[:3]),
                )
            ),
        )
    if attr.type == "identifier":
        _fail(subject, Problem(_("the identifier attribute cannot be deleted")))
    used_as_axis = session.scalar(
        select(FamilyVariantAttribute.family_variant_id).where(
            FamilyVariantAttribute.attribute_id == attr.id, FamilyVariantAttribute.is_axis
        )
    )
    if used_as_axis:
        _fail(subject, Problem(_("is a variant axis of a family variant")))
    _record(session, "attribute", attr, {"deleted": True}, actor, attribute_state(attr))
    session.delete(attr)
    session.flush()
    session.expire_all()
    completeness.refresh_all(session, Structure.current(session))


# --- families and family variants ---------------------------------------------------------


def family_state(family: Family) -> dict:
    requirements: dict[str, list[str]] = {}
    for req in family.requirements:
        requirements.setdefault(req.channel.code, []).append(req.attribute.code)
    return {
        "code": family.code,
        "labels": family.labels,
        "attributes": sorted(a.code for a in family.attributes),
        "label_attribute": family.label_attribute.code if family.label_attribute else None,
        "image_attribute": family.image_attribute.code if family.image_attribute else None,
        "requirements": {ch: sorted(codes) for ch, codes in sorted(requirements.items())},
    }


@_atomic
def create_family(session, payload: dict, actor: Actor) -> Family:
    """Create a family: attributes, label/image attribute, requirements per channel."""
    subject = f"family {payload.get('code')!r}"
    _check_code(session, subject, payload.get("code"), Family, Family.code)
    family = Family(code=payload["code"], labels={})
    session.add(family)
    _apply_family(session, family, payload, subject)
    _record(session, "family", family, family_state(family), actor)
    return family


@_atomic
def update_family(session, family: Family, payload: dict, actor: Actor):
    """Change a family; its products' completeness is recomputed."""
    before = family_state(family)
    _apply_family(session, family, payload, f"family {family.code!r}")
    version = _record(session, "family", family, family_state(family), actor, before)
    if version is not None:
        completeness.refresh_family(session, Structure.current(session), family.id)
    return version


def _apply_family(session, family, payload, subject) -> None:
    if "labels" in payload:
        family.labels = _labels(subject, payload["labels"])
    if "attributes" in payload:
        attrs = _many(session, Attribute, payload["attributes"], subject, "attributes")
        identifier = session.scalar(select(Attribute).where(Attribute.type == "identifier"))
        if identifier is not None and identifier not in attrs:
            attrs.append(identifier)
        family.attributes = attrs
        # a requirement on an attribute the family no longer has would never be fillable
        family.requirements = [r for r in family.requirements if r.attribute in attrs]
    codes = {a.code for a in family.attributes}
    for key in ("label_attribute", "image_attribute"):
        if key in payload:
            code = payload[key]
            if code and code not in codes:
                _fail(
                    subject,
                    Problem(_("%(code)r is not an attribute of this family", code=code), field=key),
                )
            attr = session.scalar(select(Attribute).where(Attribute.code == code)) if code else None
            setattr(family, key, attr)
    if "requirements" in payload:
        _set_requirements(session, family, payload["requirements"], codes, subject)
    session.flush()


def _set_requirements(session, family, requirements, codes, subject) -> None:
    if not isinstance(requirements, dict):
        _fail(
            subject, Problem(_("must map channel codes to attribute codes"), field="requirements")
        )
    channels = {c.code: c for c in session.scalars(select(Channel))}
    attrs = {a.code: a for a in family.attributes}
    rows = []
    for channel_code, attr_codes in requirements.items():
        if channel_code not in channels:
            _fail(
                subject,
                Problem(
                    _("unknown channel %(channel_code)r", channel_code=channel_code),
                    field="requirements",
                ),
            )
        outside = [c for c in attr_codes if c not in codes]
        if outside:
            _fail(
                subject,
                Problem(
                    _("%(outside)s not in the family's attributes", outside=", ".join(outside)),
                    field="requirements",
                ),
            )
        rows += [
            FamilyRequirement(attribute=attrs[c], channel=channels[channel_code])
            for c in dict.fromkeys(attr_codes)
        ]
    kept = {
        (r.channel_id, r.attribute_id)
        for r in family.requirements
        if r.channel.code not in requirements
    }
    family.requirements = [
        r for r in family.requirements if (r.channel_id, r.attribute_id) in kept
    ] + rows


def family_variant_state(fv: FamilyVariant) -> dict:
    sets = {}
    for row in fv.attribute_sets:
        entry = sets.setdefault(row.level, {"level": row.level, "axes": [], "attributes": []})
        entry["attributes"].append(row.attribute.code)
        if row.is_axis:
            entry["axes"].append(row.attribute.code)
    for entry in sets.values():
        entry["axes"].sort()
        entry["attributes"].sort()
    return {
        "code": fv.code,
        "family": fv.family.code,
        "labels": fv.labels,
        "variant_attribute_sets": [sets[k] for k in sorted(sets)],
    }


@_atomic
def create_family_variant(session, payload: dict, actor: Actor) -> FamilyVariant:
    """Create a family variant with one or two levels of axes and owned attributes."""
    subject = f"family variant {payload.get('code')!r}"
    _check_code(session, subject, payload.get("code"), FamilyVariant, FamilyVariant.code)
    family = _get(session, Family, payload.get("family"), "family", "family")
    sets = payload.get("variant_attribute_sets") or []
    if not isinstance(sets, list) or not 1 <= len(sets) <= 2:
        _fail(subject, Problem(_("one or two levels are required"), field="variant_attribute_sets"))
    family_attrs = {a.code: a for a in family.attributes}
    fv = FamilyVariant(code=payload["code"], labels=_labels(subject, payload.get("labels")))
    session.add(fv)
    fv.family = family
    seen: set[str] = set()
    for expected_level, level_set in enumerate(sets, start=1):
        fv.attribute_sets += _level_rows(subject, level_set, expected_level, family_attrs, seen)
    session.add(fv)
    session.flush()
    _record(session, "family_variant", fv, family_variant_state(fv), actor)
    return fv


def _level_rows(subject, level_set, expected_level, family_attrs, seen):
    field = "variant_attribute_sets"
    if not isinstance(level_set, dict) or level_set.get("level", expected_level) != expected_level:
        _fail(
            subject,
            Problem(
                _(
                    "level %(expected_level)s is missing or out of order",
                    expected_level=expected_level,
                ),
                field=field,
            ),
        )
    axes = list(level_set.get("axes") or [])
    if not axes:
        _fail(
            subject,
            Problem(
                _(
                    "level %(expected_level)s needs at least one axis",
                    expected_level=expected_level,
                ),
                field=field,
            ),
        )
    rows = []
    for code in dict.fromkeys([*axes, *(level_set.get("attributes") or [])]):
        attr = family_attrs.get(code)
        if attr is None:
            _fail(
                subject,
                Problem(_("%(code)r is not an attribute of the family", code=code), field=field),
            )
        if code in seen:
            _fail(subject, Problem(_("%(code)r is owned by two levels", code=code), field=field))
        seen.add(code)
        is_axis = code in axes
        if is_axis and (attr.type not in AXIS_TYPES or attr.localizable or attr.scopable):
            _fail(
                subject,
                Problem(
                    _(
                        "%(code)r cannot be an axis (must be a non-localizable, non-scopable "
                        "select, boolean, number or metric)",
                        code=code,
                    ),
                    field=field,
                ),
            )
        rows.append(FamilyVariantAttribute(attribute=attr, level=expected_level, is_axis=is_axis))
    return rows


# --- categories ------------------------------------------------------------------------------


def category_state(category: Category) -> dict:
    return {
        "code": category.code,
        "parent": category.parent.code if category.parent else None,
        "labels": category.labels,
        "sort_order": category.sort_order,
    }


@_atomic
def create_category(session, payload: dict, actor: Actor) -> Category:
    """Create a category (a tree root when ``parent`` is empty)."""
    subject = f"category {payload.get('code')!r}"
    _check_code(session, subject, payload.get("code"), Category, Category.code)
    parent = (
        _get(session, Category, payload["parent"], "category", "parent")
        if payload.get("parent")
        else None
    )
    category = Category(
        code=payload["code"],
        parent=parent,
        labels=_labels(subject, payload.get("labels")),
        sort_order=int(payload.get("sort_order", 0)),
    )
    session.add(category)
    session.flush()
    category.path = f"{parent.path if parent else '/'}{category.id}/"
    session.flush()
    _record(session, "category", category, category_state(category), actor)
    return category


@_atomic
def move_category(session, category: Category, new_parent: str | None, actor: Actor):
    """Move a category and its whole subtree under ``new_parent`` (None: a new root)."""
    subject = f"category {category.code!r}"
    parent = _get(session, Category, new_parent, "category", "parent") if new_parent else None
    if parent is not None and parent.path.startswith(category.path):
        _fail(subject, Problem(_("cannot be moved into its own subtree"), field="parent"))
    before = category_state(category)
    old_path = category.path
    new_path = f"{parent.path if parent else '/'}{category.id}/"
    category.parent = parent
    session.flush()
    session.execute(
        Category.__table__.update()
        .where(Category.path.like(f"{old_path}%"))
        .values(path=literal(new_path, String) + func.substr(Category.path, len(old_path) + 1))
    )
    session.expire_all()
    return _record(session, "category", category, category_state(category), actor, before)


def subtree_ids(session, category: Category) -> list[int]:
    """Ids of a category and all its descendants."""
    return list(session.scalars(select(Category.id).where(Category.path.like(f"{category.path}%"))))


def category_in_use(session, category: Category) -> bool:
    """Whether a channel uses this category as its tree (refuses deletion)."""
    used = session.scalar(select(Channel.id).where(Channel.category_tree_id == category.id))
    return used is not None


@_atomic
def delete_category(session, category: Category, actor: Actor) -> None:
    """Delete a category and its subtree; products lose those categories."""
    if category_in_use(session, category):
        _fail(
            f"category {category.code!r}",
            Problem(_("is the category tree of a channel; change the channel first")),
        )
    _record(session, "category", category, {"deleted": True}, actor, category_state(category))
    for cid in reversed(subtree_ids(session, category)):
        session.delete(session.get(Category, cid))
    session.flush()


# --- association types ---------------------------------------------------------------------


@_atomic
def create_association_type(session, payload: dict, actor: Actor) -> AssociationType:
    """Create an association type (cross_sell, upsell, substitution, pack, …)."""
    subject = f"association type {payload.get('code')!r}"
    _check_code(session, subject, payload.get("code"), AssociationType, AssociationType.code)
    kind = AssociationType(code=payload["code"], labels=_labels(subject, payload.get("labels")))
    session.add(kind)
    session.flush()
    _record(session, "association_type", kind, {"code": kind.code, "labels": kind.labels}, actor)
    return kind


# --- edits used by the settings screens ----------------------------------------------------


def attribute_group_state(group: AttributeGroup) -> dict:
    return {"code": group.code, "labels": group.labels, "sort_order": group.sort_order}


@_atomic
def update_attribute_group(session, group: AttributeGroup, payload: dict, actor: Actor):
    """Change an attribute group's ``labels`` or ``sort_order`` (the code is fixed)."""
    subject = f"attribute group {group.code!r}"
    before = attribute_group_state(group)
    if "labels" in payload:
        group.labels = _labels(subject, payload["labels"])
    if "sort_order" in payload:
        group.sort_order = int(payload["sort_order"] or 0)
    session.flush()
    return _record(session, "attribute_group", group, attribute_group_state(group), actor, before)


@_atomic
def set_currency_enabled(session, currency: Currency, enabled: bool, actor: Actor):
    """Enable or disable a currency; refused while a channel still sells in it."""
    if not enabled:
        users = sorted(
            session.scalars(
                select(Channel.code).where(Channel.currencies.any(Currency.id == currency.id))
            )
        )
        if users:
            _fail(
                f"currency {currency.code!r}",
                Problem(
                    _(
                        "is used by the channels %(users)s; remove it from them first",
                        users=", ".join(users),
                    ),
                    field="enabled",
                ),
            )
    before = {"code": currency.code, "enabled": currency.enabled}
    currency.enabled = bool(enabled)
    session.flush()
    state = {"code": currency.code, "enabled": currency.enabled}
    return _record(session, "currency", currency, state, actor, before)


@_atomic
def update_category(session, category: Category, payload: dict, actor: Actor):
    """Change a category's ``labels`` or ``sort_order`` (use :func:`move_category` to move)."""
    subject = f"category {category.code!r}"
    before = category_state(category)
    if "labels" in payload:
        category.labels = _labels(subject, payload["labels"])
    if "sort_order" in payload:
        category.sort_order = int(payload["sort_order"] or 0)
    session.flush()
    return _record(session, "category", category, category_state(category), actor, before)


@_atomic
def update_association_type(session, kind: AssociationType, payload: dict, actor: Actor):
    """Change an association type's ``labels`` (the code is fixed: links refer to it)."""
    before = {"code": kind.code, "labels": kind.labels}
    if "labels" in payload:
        kind.labels = _labels(f"association type {kind.code!r}", payload["labels"])
    session.flush()
    state = {"code": kind.code, "labels": kind.labels}
    return _record(session, "association_type", kind, state, actor, before)


@_atomic
def update_family_variant(session, fv: FamilyVariant, payload: dict, actor: Actor):
    """Change a family variant's ``labels``; its levels only while no product model uses it
    (the models' values are placed by those levels)."""
    subject = f"family variant {fv.code!r}"
    before = family_variant_state(fv)
    if "labels" in payload:
        fv.labels = _labels(subject, payload["labels"])
    sets = payload.get("variant_attribute_sets")
    if sets is not None and sets != before["variant_attribute_sets"]:
        if session.scalar(select(ProductModel.id).where(ProductModel.family_variant_id == fv.id)):
            _fail(
                subject,
                Problem(
                    _("its levels cannot change while product models use it"),
                    field="variant_attribute_sets",
                ),
            )
        if not isinstance(sets, list) or not 1 <= len(sets) <= 2:
            _fail(
                subject,
                Problem(_("one or two levels are required"), field="variant_attribute_sets"),
            )
        family_attrs = {a.code: a for a in fv.family.attributes}
        seen: set[str] = set()
        rows = []
        for expected_level, level_set in enumerate(sets, start=1):
            rows += _level_rows(subject, level_set, expected_level, family_attrs, seen)
        fv.attribute_sets = []
        session.flush()
        fv.attribute_sets = rows
    session.flush()
    return _record(session, "family_variant", fv, family_variant_state(fv), actor, before)


# --- deletions used by the REST API ----------------------------------------------------------


def _count(session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


@_atomic
def delete_attribute_group(session, group: AttributeGroup, actor: Actor) -> None:
    """Delete an attribute group; refused while attributes belong to it."""
    used = sorted(a.code for a in group.attributes)
    if used:
        _fail(
            f"attribute group {group.code!r}",
            Problem(
                _("holds the attributes %(codes)s; move them first", codes=", ".join(used[:5]))
            ),
        )
    _record(
        session, "attribute_group", group, {"deleted": True}, actor, attribute_group_state(group)
    )
    session.delete(group)
    session.flush()


@_atomic
def delete_family(session, family: Family, actor: Actor) -> None:
    """Delete a family with its variants and requirements; refused while products or
    product models belong to it."""
    products = _count(session, select(Product.id).where(Product.family_id == family.id))
    models = _count(
        session,
        select(ProductModel.id)
        .join(FamilyVariant, ProductModel.family_variant_id == FamilyVariant.id)
        .where(FamilyVariant.family_id == family.id),
    )
    if products or models:
        _fail(
            f"family {family.code!r}",
            Problem(
                _(
                    "is used by %(products)s products and %(models)s product models",
                    products=products,
                    models=models,
                )
            ),
        )
    for fv in list(family.variants):
        _record(session, "family_variant", fv, {"deleted": True}, actor, family_variant_state(fv))
    _record(session, "family", family, {"deleted": True}, actor, family_state(family))
    session.delete(family)
    session.flush()


@_atomic
def delete_family_variant(session, fv: FamilyVariant, actor: Actor) -> None:
    """Delete a family variant; refused while product models use it."""
    models = _count(session, select(ProductModel.id).where(ProductModel.family_variant_id == fv.id))
    if models:
        _fail(
            f"family variant {fv.code!r}",
            Problem(_("is used by %(models)s product models", models=models)),
        )
    _record(session, "family_variant", fv, {"deleted": True}, actor, family_variant_state(fv))
    fv.family.variants.remove(fv)
    session.delete(fv)
    session.flush()


@_atomic
def delete_association_type(session, kind: AssociationType, actor: Actor) -> None:
    """Delete an association type; refused while products or models are linked with it."""
    links = _count(
        session, select(Association.id).where(Association.association_type_id == kind.id)
    )
    if links:
        _fail(
            f"association type {kind.code!r}",
            Problem(_("is used by %(links)s associations", links=links)),
        )
    before = {"code": kind.code, "labels": kind.labels}
    _record(session, "association_type", kind, {"deleted": True}, actor, before)
    session.delete(kind)
    session.flush()
