"""The feed pipeline: the catalogue, batch by batch, as items or exclusions with a reason.

:func:`feed_entries` reads products in batches of :data:`BATCH_SIZE` by id (never the whole
catalogue), loads what the batch needs in a few queries (inherited values through
:class:`~pim.services.inheritance.ModelValues`, model codes, categories, completeness,
picture links with the inheritance rule of :func:`dam.services.links.media_of`),
then decides for each product: filtered out (disabled, workflow status, family, category,
lifecycle, completeness), a mapping problem (missing translation, no price in the feed's
currency) or an uncleared main picture excludes it with that reason; otherwise it becomes an
item. Product models are never items: variants carry ``item_group_id`` = their root model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from channels.mapping import Context, Subject, apply_mapping
from channels.models import Feed
from dam.models import Asset, AssetLink, LinkRole
from dam.services.rights import usage_problems
from pim.models import (
    Category,
    Completeness,
    Product,
    ProductModel,
    model_category,
    product_category,
)
from pim.services.inheritance import ModelValues
from pim.services.structure_cache import Structure

BATCH_SIZE = 1000
#: Google and most channels take one main picture and up to ten more.
MAX_ADDITIONAL_IMAGES = 10


@dataclass
class Item:
    """A product as the feed publishes it."""

    key: str
    data: dict


@dataclass
class Excluded:
    """A product left out, and why (one sentence, used to count exclusions by reason)."""

    key: str
    reason: str


@dataclass
class Settings:
    """What the pipeline needs besides the feed: where image links point, which day it is."""

    base_url: str
    preset: str
    on: date = field(default_factory=date.today)
    batch_size: int = BATCH_SIZE


def feed_entries(session, feed: Feed, settings: Settings) -> Iterator[Item | Excluded]:
    """Every product of the catalogue, in id order, as an :class:`Item` or :class:`Excluded`."""
    structure = Structure.current(session)
    context = Context(
        structure,
        feed.locale,
        feed.channel.code,
        feed.currency,
        missing_translation=(feed.filters or {}).get("missing_translation", "exclude"),
    )
    filters = _Filters(session, feed, structure)
    last_id = 0
    while True:
        batch = session.scalars(
            select(Product)
            .where(Product.id > last_id)
            .order_by(Product.id)
            .limit(settings.batch_size)
        ).all()
        if not batch:
            return
        last_id = batch[-1].id
        loaded = _Batch(session, batch, feed, structure)
        for product in batch:
            yield _entry(product, loaded, filters, context, feed, settings)


class _Batch:
    """What one batch of products needs, loaded in a few queries."""

    def __init__(self, session, batch: list[Product], feed: Feed, structure: Structure) -> None:
        ids = [p.id for p in batch]
        self.values = ModelValues(session)
        self.values.load({p.parent_id for p in batch})
        self.models = _models(session, {p.parent_id for p in batch} - {None})
        self.families = {spec.id: code for code, spec in structure.families.items()}
        self.categories = _categories(session, batch, self.models)
        self.links = _links(session, ids, list(self.models))
        locale_id = structure.locales.get(feed.locale)
        self.completeness = dict(
            session.execute(
                select(Completeness.product_id, Completeness.ratio).where(
                    Completeness.product_id.in_(ids),
                    Completeness.channel_id == feed.channel_id,
                    Completeness.locale_id == locale_id,
                )
            ).all()
        )

    def chain(self, parent_id: int | None) -> list[int]:
        """Model ids from the direct parent up to the root."""
        chain = []
        while parent_id is not None:
            chain.append(parent_id)
            parent_id = self.models[parent_id][0]
        return chain

    def pictures(self, product: Product) -> list[AssetLink]:
        """The product's image links, else its nearest model's: the rule of
        :func:`dam.services.links.media_of`, on links loaded for the whole batch."""
        own = self.links.get(("product", product.id), [])
        for model_id in self.chain(product.parent_id):
            if own:
                break
            own = self.links.get(("model", model_id), [])
        return [link for link in own if link.asset.kind == "image"]

    def subject(self, product: Product) -> Subject:
        chain = self.chain(product.parent_id)
        return Subject(
            identifier=product.identifier,
            values=self.values.merged(product.parent_id, product.values or {}),
            family=self.families.get(product.family_id),
            parent=self.models[chain[0]][1] if chain else None,
            group=self.models[chain[-1]][1] if chain else None,
            categories=sorted(self.categories.get(product.id, {})),
            lifecycle=product.lifecycle,
            workflow_status=product.workflow_status,
            enabled=product.enabled,
        )


def _models(session, ids: set[int]) -> dict[int, tuple[int | None, str]]:
    """Model id → (parent id, code) for the given models and their ancestors."""
    found: dict[int, tuple[int | None, str]] = {}
    while ids:
        rows = session.execute(
            select(ProductModel.id, ProductModel.parent_id, ProductModel.code).where(
                ProductModel.id.in_(ids)
            )
        ).all()
        found.update({id_: (parent, code) for id_, parent, code in rows})
        ids = {parent for _id, parent, _code in rows if parent is not None} - set(found)
    return found


def _links(session, product_ids: list[int], model_ids: list[int]) -> dict[tuple, list]:
    """("product" | "model", id) → its links to assets not in the trash, in display order."""
    rows = session.scalars(
        select(AssetLink)
        .join(AssetLink.asset)
        .options(contains_eager(AssetLink.asset))
        .where(
            or_(AssetLink.product_id.in_(product_ids), AssetLink.product_model_id.in_(model_ids)),
            Asset.deleted_at.is_(None),
        )
        .order_by(AssetLink.position, AssetLink.id)
    )
    found: dict[tuple, list] = {}
    for link in rows:
        owner = (
            ("product", link.product_id) if link.product_id else ("model", link.product_model_id)
        )
        found.setdefault(owner or ("product", link.product_id), []).append(link)
    return found


def _categories(session, batch: list[Product], models: dict) -> dict[int, dict[str, str]]:
    """Product id → {category code: path}, the product's own and its models' categories."""
    ids = [product.id for product in batch]
    own = session.execute(
        select(product_category.c.product_id, Category.code, Category.path)
        .join(Category, Category.id == product_category.c.category_id)
        .where(product_category.c.product_id.in_(ids))
    ).all()
    inherited = session.execute(
        select(model_category.c.model_id, Category.code, Category.path)
        .join(Category, Category.id == model_category.c.category_id)
        .where(model_category.c.model_id.in_(list(models)))
    ).all()
    of_model: dict[int, dict[str, str]] = {}
    for model_id, code, path in inherited:
        of_model.setdefault(model_id, {})[code] = path
    result: dict[int, dict[str, str]] = {}
    for product_id, code, path in own:
        result.setdefault(product_id, {})[code] = path
    for product in batch:
        product_id, parent_id = product.id, product.parent_id
        while parent_id is not None:
            result.setdefault(product_id, {}).update(of_model.get(parent_id, {}))
            parent_id = models[parent_id][0]
    return result


class _Filters:
    """The feed's filters, ready to test products."""

    def __init__(self, session, feed: Feed, structure: Structure) -> None:
        filters = feed.filters or {}
        self.enabled_only = filters.get("enabled_only", True)
        self.statuses = set(filters.get("statuses") or ())
        self.families = set(filters.get("families") or ())
        self.lifecycles = set(filters.get("lifecycles") or ())
        self.min_completeness = filters.get("min_completeness")
        self.scope = f"{feed.channel.code}/{feed.locale}"
        codes = filters.get("categories") or []
        self.category_ids = {
            f"/{id_}/"
            for id_ in session.scalars(select(Category.id).where(Category.code.in_(codes)))
        }
        self.has_categories = bool(codes)

    def reason(self, subject: Subject, paths: list[str], ratio: int | None) -> str | None:
        """Why the product is filtered out, or None."""
        if self.enabled_only and not subject.enabled:
            return "disabled"
        if self.statuses and subject.workflow_status not in self.statuses:
            return f"workflow status {subject.workflow_status} not allowed"
        if self.families and subject.family not in self.families:
            return f"family {subject.family or '(none)'} not in the feed"
        if self.has_categories and not any(
            wanted in path for path in paths for wanted in self.category_ids
        ):
            return "not in the feed's categories"
        if self.lifecycles and subject.lifecycle not in self.lifecycles:
            return f"lifecycle {subject.lifecycle} not in the feed"
        if self.min_completeness and (ratio or 0) < self.min_completeness:
            return f"completeness under {self.min_completeness}% for {self.scope}"
        return None


def _entry(product, loaded: _Batch, filters: _Filters, context, feed, settings):
    subject = loaded.subject(product)
    paths = list(loaded.categories.get(product.id, {}).values())
    reason = filters.reason(subject, paths, loaded.completeness.get(product.id))
    if reason:
        return Excluded(product.identifier, reason)
    context.problems = []
    data = apply_mapping(feed.mapping or {}, subject, context)
    if context.problems:
        return Excluded(product.identifier, context.problems[0])
    data.setdefault("id", product.identifier)
    if subject.group:
        data["item_group_id"] = subject.group
    data["_variant"] = subject.group is not None
    problem = _add_images(loaded.pictures(product), data, feed, settings)
    if problem:
        return Excluded(product.identifier, problem)
    return Item(product.identifier, data)


def _add_images(pictures: list[AssetLink], data: dict, feed: Feed, settings: Settings):
    """Set ``image_link`` and ``additional_image_link`` from the cleared pictures; return
    why the product must be left out when its main picture is not cleared."""
    if not pictures:
        return None
    main = next((link for link in pictures if link.role == LinkRole.MAIN), pictures[0])
    problems = _rights(main, feed, settings)
    if problems:
        return f"main image {main.asset.code}: {'; '.join(problems)}"
    data["image_link"] = image_url(settings, main)
    others = [link for link in pictures if link is not main and not _rights(link, feed, settings)]
    if others:
        data["additional_image_link"] = [
            image_url(settings, link) for link in others[:MAX_ADDITIONAL_IMAGES]
        ]
    return None


def _rights(link: AssetLink, feed: Feed, settings: Settings) -> list[str]:
    return usage_problems(
        link.asset, channel=feed.channel.code, territory=feed.territory, on=settings.on
    )


def image_url(settings: Settings, link: AssetLink) -> str:
    """The absolute URL of the link's picture in the feed's rendition preset."""
    base = settings.base_url.rstrip("/")
    return f"{base}/assets/{link.asset.id}/renditions/{settings.preset}"
