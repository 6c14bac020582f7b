"""The feed pipeline: the catalogue, batch by batch, as items or exclusions with a reason.

:func:`feed_entries` reads products in batches of :data:`BATCH_SIZE` by id (never the whole
catalogue), loads what the batch needs in a few queries (inherited values through
:class:`~pim.services.inheritance.ModelValues`, model codes, categories, completeness,
picture links with the inheritance rule of :func:`dam.services.links.media_of`),
then decides for each product: filtered out (disabled, workflow status, family, category,
lifecycle, completeness), a mapping problem (missing translation, no price in the feed's
currency) or an uncleared main picture excludes it with that reason; otherwise it becomes an
item. Product models are never items: variants carry ``item_group_id`` = their root model.
Every item also carries the flags of :mod:`channels.details` (axes, group label, categories,
and features when asked). With ``Settings.grouped`` the products come ordered by root model
(all variants of a model in a row, standalone products first), for writers that write a
model and its variants together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from channels.details import CategoryLabels, axes_of, features_of
from channels.formats.base import FIELD_PROBLEM, PROBLEM_MESSAGES
from channels.mapping import Context, Subject, apply_mapping
from channels.models import Feed
from dam.models import Asset, AssetLink, LinkRole
from dam.services.public import public_path
from dam.services.rights import USAGE_MESSAGES, usage_problems
from pim.i18n import N_, StoredMessages, english
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


#: Exclusion reasons are stored on the run in English (they are counted by reason across
#: runs and read by API clients); pages translate them with this when they show them.
#: The formats' problems are a field and a phrase (``FIELD_PROBLEM``): tried after the
#: pipeline's own reasons (one has a colon too), before the phrases it holds.
EXCLUSION_MESSAGES = StoredMessages(
    (
        "disabled",
        "workflow status %(status)s not allowed",
        "family %(family)s not in the feed",
        "not in the feed's categories",
        "lifecycle %(lifecycle)s not in the feed",
        "completeness under %(ratio)s%% for %(scope)s",
        "main image %(name)s (%(code)s): %(problems)s",
        *USAGE_MESSAGES,
        "missing %(locale)s translation of %(code)s (and no %(fallback)s fallback)",
        "missing %(locale)s translation of %(code)s",
        "no %(code)s in %(currency)s",
        FIELD_PROBLEM,
        *PROBLEM_MESSAGES,
    )
)


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
    #: file extension of the preset's renditions (part of the public image link)
    image_extension: str = "jpg"
    on: date = field(default_factory=date.today)
    batch_size: int = BATCH_SIZE
    #: order products by root model (see the module docstring)
    grouped: bool = False
    #: add ``_features`` (every filled attribute as text) to items
    features: bool = False
    #: builds an image link from (asset link, preset); default :func:`image_url`
    image_link: object = None


def feed_entries(session, feed: Feed, settings: Settings) -> Iterator[Item | Excluded]:
    """Every product of the catalogue, in id order, as an :class:`Item` or :class:`Excluded`."""
    structure = Structure.current(session)
    context = Context(
        structure,
        feed.locale,
        feed.channel.code,
        feed.currency,
        missing_translation=(feed.filters or {}).get("missing_translation", "exclude"),
        fallback_locale=(feed.filters or {}).get("fallback_locale"),
    )
    filters = _Filters(session, feed, structure)
    categories = CategoryLabels(session, feed.locale)
    for batch in _batches(session, settings):
        loaded = _Batch(session, batch, feed, structure, categories)
        for product in batch:
            yield _entry(product, loaded, filters, context, feed, settings)


def _batches(session, settings: Settings) -> Iterator[list[Product]]:
    """Products in batches, by id or (grouped) by root model then id; keyset pagination,
    so each batch is one indexed query whatever the catalogue size."""
    if not settings.grouped:
        last_id = 0
        while batch := session.scalars(
            select(Product)
            .where(Product.id > last_id)
            .order_by(Product.id)
            .limit(settings.batch_size)
        ).all():
            last_id = batch[-1].id
            yield batch
        return
    parent = aliased(ProductModel)
    group = func.coalesce(parent.parent_id, Product.parent_id, 0)
    last = (-1, 0)
    while True:
        rows = session.execute(
            select(Product, group)
            .outerjoin(parent, parent.id == Product.parent_id)
            .where(or_(group > last[0], and_(group == last[0], Product.id > last[1])))
            .order_by(group, Product.id)
            .limit(settings.batch_size)
        ).all()
        if not rows:
            return
        last = (rows[-1][1], rows[-1][0].id)
        yield [product for product, _group in rows]


class _Batch:
    """What one batch of products needs, loaded in a few queries."""

    def __init__(
        self, session, batch: list[Product], feed: Feed, structure: Structure, categories
    ) -> None:
        ids = [p.id for p in batch]
        self.structure, self.category_labels = structure, categories
        self.axes = {
            spec.id: [*spec.axes.get(1, ()), *spec.axes.get(2, ())]
            for spec in structure.family_variants.values()
        }
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

    def group_label(self, subject: Subject, locale: str) -> str | None:
        """The model's name: its family's label attribute in ``locale`` (None if unset)."""
        family = self.structure.families.get(subject.family) if subject.family else None
        code = family.label_attribute if family else None
        if not code or subject.group is None:
            return None
        entries = subject.values.get(code) or []
        texts = {e.get("locale"): e.get("data") for e in entries if e.get("data")}
        return texts.get(locale) or next(iter(texts.values()), None) or subject.group

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


def _models(session, ids: set[int]) -> dict[int, tuple[int | None, str, int]]:
    """Model id → (parent id, code, family variant id) for the models and their ancestors."""
    found: dict[int, tuple[int | None, str, int]] = {}
    while ids:
        rows = session.execute(
            select(
                ProductModel.id,
                ProductModel.parent_id,
                ProductModel.code,
                ProductModel.family_variant_id,
            ).where(ProductModel.id.in_(ids))
        ).all()
        found.update({id_: (parent, code, variant) for id_, parent, code, variant in rows})
        ids = {row[1] for row in rows if row[1] is not None} - set(found)
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
            return english(N_("disabled"))
        if self.statuses and subject.workflow_status not in self.statuses:
            return english(
                N_("workflow status %(status)s not allowed"), status=subject.workflow_status
            )
        if self.families and subject.family not in self.families:
            return english(
                N_("family %(family)s not in the feed"), family=subject.family or "(none)"
            )
        if self.has_categories and not any(
            wanted in path for path in paths for wanted in self.category_ids
        ):
            return english(N_("not in the feed's categories"))
        if self.lifecycles and subject.lifecycle not in self.lifecycles:
            return english(
                N_("lifecycle %(lifecycle)s not in the feed"), lifecycle=subject.lifecycle
            )
        if self.min_completeness and (ratio or 0) < self.min_completeness:
            return english(
                N_("completeness under %(ratio)s%% for %(scope)s"),
                ratio=self.min_completeness,
                scope=self.scope,
            )
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
    _add_details(product, subject, data, loaded, context, settings)
    problem = _add_images(loaded.pictures(product), data, feed, settings)
    if problem:
        return Excluded(product.identifier, problem)
    return Item(product.identifier, data)


def _add_details(product, subject, data: dict, loaded: _Batch, context, settings) -> None:
    """The flags of :mod:`channels.details`: axes, group label, categories, features."""
    data["_variant"] = subject.group is not None
    axes = []
    if product.parent_id is not None:
        variant_id = loaded.models[product.parent_id][2]
        axes = axes_of(subject, loaded.axes.get(variant_id, []), context)
    data["_axes"] = axes
    data["_group_label"] = loaded.group_label(subject, context.locale)
    data["_categories"] = loaded.category_labels.describe(loaded.categories.get(product.id, {}))
    if settings.features:
        data["_features"] = features_of(subject, context)


def _add_images(pictures: list[AssetLink], data: dict, feed: Feed, settings: Settings):
    """Set ``image_link`` and ``additional_image_link`` from the cleared pictures; return
    why the product must be left out when its main picture is not cleared."""
    if not pictures:
        return None
    main = next((link for link in pictures if link.role == LinkRole.MAIN), pictures[0])
    problems = _rights(main, feed, settings)
    if problems:
        return english(
            N_("main image %(name)s (%(code)s): %(problems)s"),
            name=main.asset.filename,
            code=main.asset.code,
            problems="; ".join(problems),
        )
    url = settings.image_link or image_url
    data["image_link"] = url(settings, main)
    others = [link for link in pictures if link is not main and not _rights(link, feed, settings)]
    if others:
        data["additional_image_link"] = [
            url(settings, link) for link in others[:MAX_ADDITIONAL_IMAGES]
        ]
    return None


def _rights(link: AssetLink, feed: Feed, settings: Settings) -> list[str]:
    return usage_problems(
        link.asset,
        channel=feed.channel.code,
        territory=feed.territory,
        on=settings.on,
        translate=False,  # stored on the run, translated when shown (EXCLUSION_MESSAGES)
    )


def image_url(settings: Settings, link: AssetLink) -> str:
    """The public, signed URL of the link's picture in the feed's rendition preset
    (:mod:`dam.services.public`): channels fetch it without signing in."""
    path = public_path(link.asset.id, settings.preset, settings.image_extension)
    return settings.base_url.rstrip("/") + path
