"""Links between assets and products or product models: role, order, inheritance, values.

Links are the truth about which pictures a product shows. Each link may also fill an
``asset_collection`` attribute (by default the family's image attribute when the owner's
level may set it): after every change the attribute's value is rewritten as the ordered
asset codes of those links, through the PIM's own update services, so completeness,
history and feeds see the same pictures as the media panel.

A variant without links of its own shows its nearest model's (:func:`media_of`), as values
are inherited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from dam.models import Asset, AssetLink, LinkRole
from dam.services.editing import ASSET_UPDATED, asset_event_data
from pim import events
from pim.models import Product, ProductModel
from pim.services import common, product_models, products
from pim.services.actors import Actor
from pim.services.errors import DomainError
from pim.services.structure_cache import Structure

ROLES = tuple(role.value for role in LinkRole)

Owner = Product | ProductModel


class LinkRefused(DomainError):
    """A link change that cannot be made; the message says why."""


@dataclass
class Media:
    """The pictures an owner shows: its own links, or those inherited from a model."""

    links: list[AssetLink]
    inherited_from: ProductModel | None = None


def owner_name(owner: Owner) -> str:
    if isinstance(owner, Product):
        return f"product {owner.identifier}"
    return f"product model {owner.code}"


def _owner_clause(owner: Owner):
    if isinstance(owner, Product):
        return AssetLink.product_id == owner.id
    return AssetLink.product_model_id == owner.id


def links_of(session, owner: Owner) -> list[AssetLink]:
    """The owner's own links in display order (trashed assets excluded)."""
    return list(
        session.scalars(
            select(AssetLink)
            .join(Asset)
            .where(_owner_clause(owner), Asset.deleted_at.is_(None))
            .order_by(AssetLink.position, AssetLink.id)
        )
    )


def media_of(session, owner: Owner) -> Media:
    """The owner's links, or its nearest ancestor model's when it has none."""
    own = links_of(session, owner)
    parent = owner.parent
    while not own and parent is not None:
        own = links_of(session, parent)
        if own:
            return Media(own, inherited_from=parent)
        parent = parent.parent
    return Media(own)


def link(
    session,
    asset: Asset,
    owner: Owner,
    *,
    role: str = LinkRole.GALLERY,
    position: int | None = None,
    attribute: str | None = "",
    actor: Actor,
) -> AssetLink:
    """Link ``asset`` to ``owner`` (or change the role/position of an existing link).

    ``attribute=""`` picks the default asset collection attribute; ``None`` fills none.
    There is one ``main`` picture per owner: a new main demotes the previous one to gallery.
    """
    if asset.deleted_at is not None:
        raise LinkRefused(
            _("asset %(code)s is in the trash; restore it before linking", code=asset.code)
        )
    if role not in ROLES:
        raise LinkRefused(
            _("unknown role %(role)r; use one of %(roles)s", role=role, roles=", ".join(ROLES))
        )
    current = links_of(session, owner)
    before = _layout(current)
    existing = next((item for item in current if item.asset_id == asset.id), None)
    if existing is not None and position is None and role != LinkRole.MAIN:
        position = current.index(existing)  # a role change keeps the picture where it is
    if attribute == "":
        attribute = existing.attribute if existing else default_attribute(session, owner)
    elif attribute is not None:
        _check_attribute(session, owner, attribute)
    if existing is None:
        existing = AssetLink(asset=asset, role=role, attribute=attribute)
        if isinstance(owner, Product):
            existing.product_id = owner.id
        else:
            existing.product_model_id = owner.id
        session.add(existing)
    else:
        current.remove(existing)
        existing.role = role
        existing.attribute = attribute
    if role == LinkRole.MAIN:
        for other in current:
            if other.role == LinkRole.MAIN:
                other.role = LinkRole.GALLERY
    at = len(current) if position is None else max(0, min(position, len(current)))
    if role == LinkRole.MAIN and position is None:
        at = 0
    current.insert(at, existing)
    _renumber(current)
    if _layout(current) == before:  # the same link again: nothing to write or announce
        return existing
    session.flush()
    sync_values(session, owner, actor=actor)
    events.emit(session, ASSET_UPDATED, asset_event_data(asset))
    return existing


def _layout(links: list[AssetLink]) -> list[tuple]:
    """What a list of an owner's links shows: which assets, in which roles, where."""
    return [(item.asset_id, item.role, item.position, item.attribute) for item in links]


def unlink(session, asset: Asset, owner: Owner, *, actor: Actor) -> bool:
    """Remove the link between ``asset`` and ``owner``; False when there was none."""
    found = session.scalars(
        select(AssetLink).where(_owner_clause(owner), AssetLink.asset_id == asset.id)
    ).first()
    if found is None:
        return False
    session.delete(found)
    session.flush()
    _renumber(links_of(session, owner))
    sync_values(session, owner, actor=actor)
    events.emit(session, ASSET_UPDATED, asset_event_data(asset))
    return True


def remove_links(session, links: list[AssetLink], *, actor: Actor | None) -> None:
    """Delete ``links`` (e.g. of an asset going to the trash) and resync their owners."""
    owners = []
    for item in links:
        owner = (
            session.get(Product, item.product_id)
            if item.product_id
            else session.get(ProductModel, item.product_model_id)
        )
        if owner is not None and owner not in owners:
            owners.append(owner)
        session.delete(item)
    session.flush()
    for owner in owners:
        sync_values(session, owner, actor=actor or Actor.system())


def reorder(session, owner: Owner, asset_ids: list[int], *, actor: Actor) -> None:
    """Put the owner's links in the order of ``asset_ids`` (which must name each once)."""
    current = links_of(session, owner)
    by_asset = {item.asset_id: item for item in current}
    wanted = [int(asset_id) for asset_id in asset_ids]
    if sorted(wanted) != sorted(by_asset) or len(set(wanted)) != len(wanted):
        missing = sorted(set(by_asset) - set(wanted))
        extra = sorted(set(wanted) - set(by_asset))
        raise LinkRefused(
            f"the new order for {owner_name(owner)} must list each linked asset once"
            + (f"; missing {missing}" if missing else "")
            + (f"; not linked {extra}" if extra else "")
        )
    _renumber([by_asset[asset_id] for asset_id in wanted])
    session.flush()
    sync_values(session, owner, actor=actor)


def _renumber(ordered: list[AssetLink]) -> None:
    for index, item in enumerate(ordered):
        if item.position != index:
            item.position = index


def default_attribute(session, owner: Owner) -> str | None:
    """The asset collection attribute new links fill: the family's image attribute when the
    owner may set it, else the first such attribute it may set; None when there is none."""
    structure = Structure.current(session)
    allowed, family = _allowed(structure, owner)
    if family is None:
        return None
    candidates = sorted(
        (
            spec
            for code, spec in structure.attributes.items()
            if code in family.attributes
            and spec.type == "asset_collection"
            and not spec.localizable
            and not spec.scopable
            and (allowed is None or code in allowed)
        ),
        key=lambda spec: (spec.code != family.image_attribute, spec.sort_order, spec.code),
    )
    return candidates[0].code if candidates else None


def _check_attribute(session, owner: Owner, attribute: str) -> None:
    structure = Structure.current(session)
    spec = structure.attributes.get(attribute)
    if spec is None or spec.type != "asset_collection":
        raise LinkRefused(
            _("%(attribute)r is not an asset collection attribute", attribute=attribute)
        )
    if spec.localizable or spec.scopable:
        raise LinkRefused(
            _(
                "%(attribute)s: links fill only non-localizable, non-scopable attributes",
                attribute=attribute,
            )
        )
    allowed, family = _allowed(structure, owner)
    if family is not None and allowed is not None and attribute not in allowed:
        raise LinkRefused(
            _(
                "%(attribute)s cannot be set on %(value)s (its level)",
                attribute=attribute,
                value=owner_name(owner),
            )
        )


def _allowed(structure: Structure, owner: Owner):
    if isinstance(owner, Product):
        family = structure.families.get(owner.family.code) if owner.family else None
        variant = None
        level = 0
        if owner.parent is not None:
            variant = structure.family_variants[owner.parent.family_variant.code]
            level = variant.levels
    else:
        variant = structure.family_variants[owner.family_variant.code]
        family = structure.families[variant.family]
        level = 0 if owner.parent is None else 1
    allowed, _why = common.allowed_attributes(structure, family, variant, level)
    return allowed, family


def sync_values(session, owner: Owner, *, actor: Actor) -> None:
    """Rewrite the owner's link-filled attributes as the ordered codes of their links.

    Attributes that no longer have links are emptied only when they hold exactly what the
    links had written (codes of linked or formerly linked assets), never a value set by hand
    to assets the DAM does not know about.
    """
    wanted: dict[str, list[str]] = defaultdict(list)
    for item in links_of(session, owner):
        if item.attribute:
            wanted[item.attribute].append(item.asset.code)
    structure = Structure.current(session)
    current = owner.values or {}
    changes: dict[str, list] = {}
    for code, spec in structure.attributes.items():
        if spec.type != "asset_collection" or spec.localizable or spec.scopable:
            continue
        stored = _plain_value(current.get(code))
        target = wanted.get(code, [])
        if stored == target:
            continue
        if not target and not _all_known_assets(session, stored):
            continue
        changes[code] = [{"locale": None, "scope": None, "data": target or None}]
    if not changes:
        return
    payload = {"values": changes}
    if isinstance(owner, Product):
        products.update_product(session, owner, payload, actor, comment="media links changed")
    else:
        product_models.update_model(session, owner, payload, actor, comment="media links changed")


def _plain_value(entries) -> list[str]:
    for entry in entries or []:
        if entry.get("locale") is None and entry.get("scope") is None:
            return list(entry.get("data") or [])
    return []


def _all_known_assets(session, codes: list[str]) -> bool:
    if not codes:
        return False
    known = set(session.scalars(select(Asset.code).where(Asset.code.in_(codes))))
    return known == set(codes)
