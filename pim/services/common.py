"""Pieces shared by the product and product-model services: payload merging, categories,
associations and variant-level rules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from flask_babel import gettext as _
from sqlalchemy import delete, select

from pim.models import Association, AssociationType, Category, Product, ProductModel
from pim.services.errors import Problem
from pim.services.structure_cache import FamilySpec, FamilyVariantSpec, Structure


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of ``size`` items (the last may be shorter), consuming lazily."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def merge_raw_values(current: dict, incoming) -> dict:
    """Merge incoming entries into ``current`` per (attribute, locale, scope).

    Malformed input is passed through unchanged for :func:`pim.values.normalize_values`
    to report.
    """
    if not isinstance(incoming, dict):
        return incoming
    merged = {code: list(entries) for code, entries in (current or {}).items()}
    for code, entries in incoming.items():
        if not isinstance(entries, list):
            merged[code] = entries
            continue
        # incoming entries replace stored ones with the same locale and scope; duplicates
        # inside the incoming list are kept so that validation reports them
        keys = {(e.get("locale"), e.get("scope")) for e in entries if isinstance(e, dict)}
        kept = [e for e in merged.get(code, []) if (e.get("locale"), e.get("scope")) not in keys]
        merged[code] = kept + entries
    return merged


def resolve_categories(session, codes, problems: list[Problem]) -> list[Category]:
    """Category objects for ``codes``; unknown codes are reported."""
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        problems.append(Problem(_("must be a list of category codes"), field="categories"))
        return []
    found = {c.code: c for c in session.scalars(select(Category).where(Category.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        problems.append(
            Problem(
                _("unknown categories: %(unknown)s", unknown=", ".join(unknown)), field="categories"
            )
        )
    return [found[c] for c in dict.fromkeys(codes) if c in found]


def allowed_attributes(
    structure: Structure, family: FamilySpec | None, variant: FamilyVariantSpec | None, level: int
) -> tuple[set[str] | None, callable]:
    """Attribute codes a product/model at ``level`` may set, and why others are refused.

    Level 0 is a root model, level 1 a sub-model or a one-level variant, level 2 a
    variant of a two-level family variant. Without a family every attribute is allowed.
    """
    if family is None:
        return None, lambda code: _("not allowed")
    allowed = set(family.attributes)
    if variant is not None:
        owned_below = set().union(*(variant.owned.get(lv, ()) for lv in range(level + 1, 3)))
        owned_above = set().union(*(variant.owned.get(lv, ()) for lv in range(1, level)))
        if level == 0:
            allowed -= owned_below
        else:
            allowed &= set(variant.owned.get(level, ()))
        allowed -= owned_above

    def why(code: str) -> str:
        if code not in family.attributes:
            return _("is not an attribute of family %(family)s", family=family.code)
        owner = variant.level_of(code) if variant else 0
        if owner == 0:
            return _(
                "belongs to the root model of family variant %(variant)s, not to this level",
                variant=variant.code,
            )
        return _(
            "belongs to variant level %(level)s of family variant %(variant)s, not to this level",
            level=owner,
            variant=variant.code,
        )

    return allowed, why


def axis_problems(variant: FamilyVariantSpec, level: int, values: dict) -> list[Problem]:
    """Axis values of ``level`` must be set (non-localizable, non-scopable)."""
    problems = []
    for axis in variant.axes.get(level, ()):
        if not values.get(axis):
            problems.append(Problem(_("is a variant axis: a value is required"), attribute=axis))
    return problems


def axis_key(variant: FamilyVariantSpec, level: int, values: dict) -> tuple:
    """The combination of axis values that must be unique among siblings."""
    return tuple(
        str(values[axis][0]["data"]) if values.get(axis) else None
        for axis in variant.axes.get(level, ())
    )


def associations_state(session, *, product_id=None, model_id=None) -> dict:
    """``{type: {"products": [...], "product_models": [...]}}`` for an owner, sorted."""
    query = (
        select(AssociationType.code, Product.identifier, ProductModel.code)
        .select_from(Association)
        .join(AssociationType)
        .outerjoin(Product, Product.id == Association.target_product_id)
        .outerjoin(ProductModel, ProductModel.id == Association.target_model_id)
    )
    if product_id is not None:
        query = query.where(Association.owner_product_id == product_id)
    else:
        query = query.where(Association.owner_model_id == model_id)
    state: dict = {}
    for type_code, identifier, model_code in session.execute(query):
        entry = state.setdefault(type_code, {"products": [], "product_models": []})
        if identifier:
            entry["products"].append(identifier)
        if model_code:
            entry["product_models"].append(model_code)
    for entry in state.values():
        entry["products"].sort()
        entry["product_models"].sort()
    return state


def resolve_associations(session, payload, problems: list[Problem], self_key=None) -> dict:
    """Validate ``{type: {"products": [...], "product_models": [...]}}``; return id maps."""
    if not isinstance(payload, dict):
        problems.append(
            Problem(_("must be an object keyed by association type"), field="associations")
        )
        return {}
    types = {t.code: t for t in session.scalars(select(AssociationType))}
    resolved = {}
    for type_code, targets in payload.items():
        if type_code not in types:
            problems.append(
                Problem(
                    _("unknown association type %(type_code)r", type_code=type_code),
                    field="associations",
                )
            )
            continue
        if not isinstance(targets, dict):
            problems.append(
                Problem(
                    _("%(type_code)s: must be an object", type_code=type_code), field="associations"
                )
            )
            continue
        resolved[types[type_code].id] = (
            _targets(
                session,
                Product,
                Product.identifier,
                targets.get("products", []),
                type_code,
                problems,
                self_key,
            ),
            _targets(
                session,
                ProductModel,
                ProductModel.code,
                targets.get("product_models", []),
                type_code,
                problems,
                self_key,
            ),
        )
    return resolved


def _targets(session, model, column, keys, type_code, problems, self_key) -> list[int]:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        problems.append(
            Problem(
                _("%(type_code)s: targets must be a list of codes", type_code=type_code),
                field="associations",
            )
        )
        return []
    if self_key in keys:
        problems.append(
            Problem(
                _("%(type_code)s: cannot be associated with itself", type_code=type_code),
                field="associations",
            )
        )
    found = dict(session.execute(select(column, model.id).where(column.in_(keys))).all())
    unknown = [k for k in keys if k not in found]
    if unknown:
        problems.append(
            Problem(
                _(
                    "%(type_code)s: unknown targets %(unknown)s",
                    type_code=type_code,
                    unknown=", ".join(unknown),
                ),
                field="associations",
            )
        )
    return [found[k] for k in dict.fromkeys(keys) if k in found]


def write_associations(session, resolved: dict, *, product_id=None, model_id=None) -> None:
    """Replace the owner's associations of each given type."""
    for type_id, (product_ids, model_ids) in resolved.items():
        owner = (
            Association.owner_product_id == product_id
            if product_id is not None
            else Association.owner_model_id == model_id
        )
        session.execute(
            delete(Association).where(owner, Association.association_type_id == type_id)
        )
        for target in product_ids:
            session.add(
                Association(
                    association_type_id=type_id,
                    owner_product_id=product_id,
                    owner_model_id=model_id,
                    target_product_id=target,
                )
            )
        for target in model_ids:
            session.add(
                Association(
                    association_type_id=type_id,
                    owner_product_id=product_id,
                    owner_model_id=model_id,
                    target_model_id=target,
                )
            )
