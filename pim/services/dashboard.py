"""What the start page shows: aggregate figures and work queues, each in a few queries.

Every function takes a session and answers with plain objects; none loops over products in
Python, so the page costs the same handful of GROUP BY queries at 100,000 products as at
ten. The review queue and "sent back" read the workflow moves recorded in
:class:`~pim.models.Version` (``changes["workflow_status"]``), the translators' figures read
the ``missing`` lists of :class:`~pim.models.Completeness`; missing and outdated
translations per locale come from the search index's facets (:func:`translation_states`).

:func:`review` is the one write: approve or send back an item of the review queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, and_, case, cast, exists, func, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB, array
from sqlalchemy.orm import aliased, joinedload

from pim.models import (
    Completeness,
    ImportJob,
    Product,
    ProductModel,
    User,
    Version,
    WorkflowStatus,
)
from pim.search import indexer
from pim.search.base import Query
from pim.search.query import translation_field
from pim.services import product_models, products
from pim.services.actors import Actor
from pim.services.errors import InvalidData, NotFound, Problem
from pim.services.inheritance import ModelValues
from pim.services.structure_cache import Structure

IN_REVIEW = WorkflowStatus.IN_REVIEW.value
DRAFT = WorkflowStatus.DRAFT.value
APPROVED = WorkflowStatus.APPROVED.value
#: The two kinds of items that go through review: resource type → (model class, key column).
REVIEWABLE = {
    products.RESOURCE: (Product, Product.identifier),
    product_models.RESOURCE: (ProductModel, ProductModel.code),
}
#: What a reviewer may decide: decision → the status it moves the item to.
DECISIONS = {"approve": APPROVED, "send_back": DRAFT}


# --- completeness --------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletenessStat:
    """Completeness of the enabled products for one channel and one of its locales."""

    channel: str
    channel_labels: dict
    locale: str
    #: enabled products with a completeness for this channel and locale (those with a family)
    products: int
    #: of which 100 % complete
    complete: int
    #: their average ratio, whole percent
    average: int

    @property
    def incomplete(self) -> int:
        return self.products - self.complete

    @property
    def share(self) -> int:
        """Whole percent of products that are complete, rounded down (100 means all)."""
        return self.complete * 100 // self.products if self.products else 0


def completeness_by_channel_locale(session, structure: Structure) -> list[CompletenessStat]:
    """For every channel (by code) and each of its locales (in the channel's order): how
    many enabled products are complete, and their average ratio. One GROUP BY query."""
    query = (
        select(
            Completeness.channel_id,
            Completeness.locale_id,
            func.count(),
            func.sum(case((Completeness.ratio >= 100, 1), else_=0)),
            func.avg(Completeness.ratio),
        )
        .join(Product, Product.id == Completeness.product_id)
        .where(Product.enabled.is_(True))
        .group_by(Completeness.channel_id, Completeness.locale_id)
    )
    found = {(row[0], row[1]): row[2:] for row in session.execute(query)}
    stats = []
    for code in sorted(structure.channels):
        channel = structure.channels[code]
        for locale in channel.locales:
            count, complete, average = found.get(
                (channel.id, structure.locales.get(locale)), (0, 0, None)
            )
            stats.append(
                CompletenessStat(
                    channel=code,
                    channel_labels=channel.labels,
                    locale=locale,
                    products=count,
                    complete=int(complete or 0),
                    average=round(float(average)) if average is not None else 0,
                )
            )
    return stats


# --- workflow ------------------------------------------------------------------------------


def products_by_status(session) -> dict[str, int]:
    """Number of products (enabled or not) in each workflow status, every status listed."""
    query = select(Product.workflow_status, func.count()).group_by(Product.workflow_status)
    counts = dict(session.execute(query).all())
    return {status.value: counts.get(status.value, 0) for status in WorkflowStatus}


def _moved_to(version, side: str = "new"):
    """The workflow status a version moved its item to (``side="old"``: moved from), or
    NULL when the version did not touch the status (also on creation: ``old`` is null)."""
    return version.changes[("workflow_status", side)].as_string()


@dataclass(frozen=True)
class QueueItem:
    """A product or product model in a work queue, and the workflow move that put it there."""

    resource_type: str
    id: int
    key: str
    #: the label attribute's value (in the first channel's first locale when it has one)
    label: str | None
    #: who made the move (submitted it for review, or sent it back), and when
    author: str | None
    moved_at: datetime | None
    #: the comment recorded with the move
    comment: str | None = None

    @property
    def is_product(self) -> bool:
        return self.resource_type == products.RESOURCE


@dataclass(frozen=True)
class ReviewQueue:
    """The newest items waiting for review, and how many wait in all."""

    items: list[QueueItem]
    total: int


def review_queue(session, structure: Structure, limit: int = 20) -> ReviewQueue:
    """Products and models ``in_review``, most recently submitted first, with who submitted
    them, and how many wait in all.

    The list walks the versions newest first (the ``created_at`` index) to the moves into
    review that are still the item's last workflow move: it stops after ``limit`` hits
    instead of looking up the history of every item in review. An item with no such version
    (written before history was kept) is counted but not listed.
    """
    items: list[QueueItem] = []
    total = 0
    for resource_type in REVIEWABLE:
        found = _submissions(session, resource_type, limit)
        items += _with_labels(session, structure, resource_type, found)
        total += _count_in_review(session, resource_type)
    items.sort(key=lambda item: item.moved_at, reverse=True)
    return ReviewQueue(items[:limit], total)


def _submissions(session, resource_type: str, limit: int) -> list:
    """Rows ``(id, key, author, moved_at, comment)`` of the newest submissions of items of
    one kind that are still in review."""
    table, key = REVIEWABLE[resource_type]
    query = (
        select(table.id, key, Version.author, Version.created_at, Version.comment)
        .join(table, table.id == Version.resource_id)
        .where(
            Version.resource_type == resource_type,
            _moved_to(Version) == IN_REVIEW,
            table.workflow_status == IN_REVIEW,
            ~_workflow_move_between(resource_type, Version.resource_id, Version.number, None),
        )
        .order_by(Version.created_at.desc(), Version.id.desc())
        .limit(limit)
    )
    return session.execute(query).all()


def _count_in_review(session, resource_type: str) -> int:
    table, _ = REVIEWABLE[resource_type]
    query = select(func.count()).select_from(table).where(table.workflow_status == IN_REVIEW)
    return session.scalar(query) or 0


def sent_back(session, structure: Structure, user: User, limit: int = 20) -> list[QueueItem]:
    """The user's own items sent back: products and models now ``draft`` whose last workflow
    move was from review back to draft by someone else, right after the user submitted them.
    Newest first, with who sent them back and their comment."""
    items: list[QueueItem] = []
    for resource_type in REVIEWABLE:
        found = _sent_back(session, resource_type, user.id, limit)
        items += _with_labels(session, structure, resource_type, found)
    items.sort(key=lambda item: item.moved_at, reverse=True)
    return items[:limit]


def _sent_back(session, resource_type: str, user_id: int, limit: int) -> list:
    table, key = REVIEWABLE[resource_type]
    back, submitted = aliased(Version), aliased(Version)
    query = (
        select(table.id, key, back.author, back.created_at, back.comment)
        .join(back, and_(back.resource_type == resource_type, back.resource_id == table.id))
        .join(
            submitted,
            and_(
                submitted.resource_type == resource_type,
                submitted.resource_id == table.id,
                submitted.number < back.number,
            ),
        )
        .where(
            table.workflow_status == DRAFT,
            _moved_to(back, "old") == IN_REVIEW,
            _moved_to(back) == DRAFT,
            or_(back.author_id.is_(None), back.author_id != user_id),
            submitted.author_id == user_id,
            _moved_to(submitted) == IN_REVIEW,
            # the submission is the move just before the sending back, which is the last move
            ~_workflow_move_between(resource_type, table.id, submitted.number, back.number),
            ~_workflow_move_between(resource_type, table.id, back.number, None),
        )
        .order_by(back.created_at.desc(), back.id.desc())
        .limit(limit)
    )
    return session.execute(query).all()


def _workflow_move_between(resource_type: str, resource_id, after, before):
    """EXISTS a version of the item, numbered between ``after`` and ``before`` (None: no
    upper bound), that changed the workflow status."""
    other = aliased(Version)
    clauses = [
        other.resource_type == resource_type,
        other.resource_id == resource_id,
        other.number > after,
        _moved_to(other).is_not(None),
    ]
    if before is not None:
        clauses.append(other.number < before)
    return exists().where(*clauses)


def _with_labels(session, structure: Structure, resource_type: str, rows) -> list[QueueItem]:
    """Queue items of rows ``(id, key, author, moved_at, comment)``, with their labels."""
    labels = item_labels(session, structure, resource_type, [row[0] for row in rows])
    return [
        QueueItem(resource_type, id_, key, labels.get(id_), author, moved_at, comment)
        for id_, key, author, moved_at, comment in rows
    ]


def item_labels(session, structure: Structure, resource_type: str, ids) -> dict[int, str]:
    """Labels of a few products or models (inherited values included), by id."""
    if not ids:
        return {}
    table, _ = REVIEWABLE[resource_type]
    if resource_type == products.RESOURCE:
        families = {spec.id: spec for spec in structure.families.values()}
        kind = table.family_id
    else:
        families = {
            variant.id: structure.families.get(variant.family)
            for variant in structure.family_variants.values()
        }
        kind = table.family_variant_id
    rows = session.execute(
        select(table.id, kind, table.parent_id, table.values).where(table.id.in_(ids))
    ).all()
    inherited = ModelValues(session)
    inherited.load({row[2] for row in rows})
    locale = _first_locale(structure)
    labels = {}
    for id_, family_key, parent_id, values in rows:
        family = families.get(family_key)
        merged = inherited.merged(parent_id, values or {})
        if family is not None and family.label_attribute:
            labels[id_] = _label(merged.get(family.label_attribute), locale)
    return {id_: label for id_, label in labels.items() if label}


def _first_locale(structure: Structure) -> str | None:
    """The locale pages show by default: the first locale of the first channel by code."""
    if not structure.channels:
        return None
    locales = structure.channels[min(structure.channels)].locales
    return locales[0] if locales else None


def _label(entries, locale: str | None) -> str | None:
    """The text of a label value: in ``locale`` when there is one, else any (locale order)."""
    texts = sorted(
        (entry.get("locale") != locale, entry.get("locale") or "", entry["data"].strip())
        for entry in entries or ()
        if isinstance(entry, dict) and isinstance(entry.get("data"), str) and entry["data"].strip()
    )
    return texts[0][2] if texts else None


def review(
    session, resource_type: str, key: str, decision: str, actor: Actor, comment: str = ""
) -> str:
    """Approve an item in review, or send it back to draft; returns its new status.

    Raises NotFound for an unknown item, InvalidData when the item is no longer in review
    (someone decided first) or the decision is unknown. Flushes; the caller commits.
    """
    if resource_type not in REVIEWABLE:
        raise NotFound(f"unknown kind of item {resource_type!r}")
    item = _reviewable(session, resource_type, key)
    subject = f"{resource_type.replace('_', ' ')} {key!r}"
    status = DECISIONS.get(decision)
    if status is None:
        raise InvalidData(subject, [Problem("choose approve or send back", field="decision")])
    if item.workflow_status != IN_REVIEW:
        problem = Problem(f"is no longer in review (now {item.workflow_status.replace('_', ' ')})")
        raise InvalidData(subject, [problem])
    payload = {"workflow_status": status}
    note = comment.strip()[:2000] or None
    if resource_type == products.RESOURCE:
        products.update_product(session, item, payload, actor, comment=note)
    else:
        product_models.update_model(session, item, payload, actor, comment=note)
    return status


def _reviewable(session, resource_type: str, key: str):
    if resource_type == products.RESOURCE:
        return products.get_product(session, key)
    return product_models.get_model(session, key)


# --- translators ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationGap:
    """Enabled products missing at least one required localizable value in a locale, for one
    channel."""

    locale: str
    channel: str
    channel_labels: dict
    products: int


def translation_gaps(session, structure: Structure, locales) -> list[TranslationGap]:
    """For each of ``locales`` (empty: every locale of a channel) and each channel that has
    it: how many enabled products miss a localizable value there (one GROUP BY query).

    """
    pairs = _locale_channel_pairs(structure, locales)
    localizable = sorted(code for code, a in structure.attributes.items() if a.localizable)
    if not pairs:
        return []
    counts = {}
    if localizable:
        query = (
            select(Completeness.channel_id, Completeness.locale_id, func.count())
            .join(Product, Product.id == Completeness.product_id)
            .where(
                Product.enabled.is_(True),
                Completeness.ratio < 100,
                Completeness.locale_id.in_({structure.locales[loc] for loc, _ in pairs}),
                _missing_any(session, localizable),
            )
            .group_by(Completeness.channel_id, Completeness.locale_id)
        )
        counts = {(row[0], row[1]): row[2] for row in session.execute(query)}
    return [
        TranslationGap(
            locale=locale,
            channel=channel.code,
            channel_labels=channel.labels,
            products=counts.get((channel.id, structure.locales[locale]), 0),
        )
        for locale, channel in pairs
    ]


def _missing_any(session, codes: list[str]):
    """Completeness rows whose ``missing`` list names any of ``codes``: the JSONB ``?|``
    operator on PostgreSQL; elsewhere a search of the list's text for the quoted codes
    (exact, since a code is matched whole between its quotes)."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(Completeness.missing, JSONB).has_any(array(codes))
    as_text = cast(Completeness.missing, Text)
    return or_(*(as_text.contains(f'"{code}"', autoescape=True) for code in codes))


def _locale_channel_pairs(structure: Structure, locales) -> list[tuple]:
    """(locale, channel spec) for the wanted locales, in locale then channel code order."""
    wanted = set(locales or ())
    pairs = [
        (locale, structure.channels[code])
        for code in sorted(structure.channels)
        for locale in structure.channels[code].locales
        if (not wanted or locale in wanted) and locale in structure.locales
    ]
    return sorted(pairs, key=lambda pair: (pair[0], pair[1].code))


@dataclass(frozen=True)
class TranslationState:
    """Products with missing, and with outdated, translations into one locale (a product
    may be both), as the grid's ``translation:LOCALE=missing|outdated`` filters find them."""

    locale: str
    missing: int
    outdated: int


def translation_states(locales) -> list[TranslationState]:
    """For each of ``locales``: how many products have missing, and outdated,
    translations there. The stamps must be compared with today's source texts, which SQL
    cannot do: the counts are facets of one search-index query (products' documents carry
    ``translation.LOCALE``, kept in step with every write)."""
    if not locales:
        return []
    fields = {locale: translation_field(locale) for locale in locales}
    found = indexer.backend().search(
        Query(kinds=("product",), facets=tuple(fields.values()), limit=1)
    )
    states = []
    for locale, name in fields.items():
        counts = dict(found.facets.get(name, ()))
        states.append(TranslationState(locale, counts.get("missing", 0), counts.get("outdated", 0)))
    return states


# --- imports -------------------------------------------------------------------------------


def recent_imports(session, limit: int = 10) -> list[ImportJob]:
    """The newest import jobs, their profile and author loaded with them."""
    query = (
        select(ImportJob)
        .options(joinedload(ImportJob.profile), joinedload(ImportJob.created_by))
        .order_by(ImportJob.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
