"""The product list: filters, keyset pagination and one page of rows in a few queries.

Pages are cut on ``product.id`` (``after`` / ``before`` cursors) instead of OFFSET, so the
last page of 100,000 products is as fast as the first. Labels need the parent models'
values and the badge needs completeness: both are loaded for the whole page at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from pim.models import Completeness, Product, ProductModel, WorkflowStatus
from pim.search import service as search
from pim.services.inheritance import ModelValues
from pim.web.context import ViewContext

PAGE_SIZE = 50


#: Sort choices of the search box: parameter value → (search sort field, descending).
SORTS = {
    "relevance": ("relevance", False),
    "identifier": ("identifier", False),
    "label": ("label", False),
    "-updated": ("updated", True),
    "completeness": ("completeness", False),
    "-completeness": ("completeness", True),
}


@dataclass(frozen=True)
class Filters:
    """What the user filters on; every field is optional. ``text`` is the search syntax
    (:mod:`pim.search.query`); with any filter set the list comes from the search index."""

    text: str = ""
    family: str = ""
    status: str = ""
    sort: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        status = args.get("status", "")
        sort = args.get("sort", "")
        return cls(
            text=args.get("q", "").strip()[:1000],
            family=args.get("family", "")[:100],
            status=status if status in {s.value for s in WorkflowStatus} else "",
            sort=sort if sort in SORTS else "",
            page=max(1, min(args.get("page", 1, type=int) or 1, 10_000)),
        )

    @property
    def searching(self) -> bool:
        return bool(self.text or self.family or self.status or self.sort)

    def query_text(self) -> str:
        """The search box's text with the family and status choices added as filters."""
        parts = [self.text]
        if self.family:
            parts.append(f'family:"{self.family}"')
        if self.status:
            parts.append(f"status:{self.status}")
        return " ".join(p for p in parts if p)

    def params(self) -> dict:
        """Query parameters repeating these filters (empty ones left out)."""
        pairs = (("q", self.text), ("family", self.family), ("status", self.status),
                 ("sort", self.sort))  # fmt: skip
        return {k: v for k, v in pairs if v}


@dataclass
class Row:
    """One line of the list."""

    id: int
    identifier: str
    label: str | None
    family: str | None
    parent: str | None
    enabled: bool
    workflow_status: str
    ratio: int | None


@dataclass
class Page:
    rows: list[Row]
    next_after: int | None
    prev_before: int | None


def fetch_page(session, ctx: ViewContext, filters: Filters, after=None, before=None) -> Page:
    """Up to :data:`PAGE_SIZE` products after (or before) a cursor, with labels and ratios."""
    query = _filtered(ctx, filters)
    if before is not None:
        query = query.where(Product.id < before).order_by(Product.id.desc())
    else:
        if after is not None:
            query = query.where(Product.id > after)
        query = query.order_by(Product.id)
    found = session.execute(query.limit(PAGE_SIZE + 1)).all()
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    if before is not None:
        found.reverse()
    rows = _rows(session, ctx, found)
    if not rows:
        return Page([], None, None)
    has_next = more if before is None else True
    has_prev = (after is not None) if before is None else more
    return Page(
        rows,
        rows[-1].id if has_next else None,
        rows[0].id if has_prev else None,
    )


@dataclass
class SearchPage:
    """A page of search results: rows in the index's order, total and facet counts."""

    rows: list[Row]
    total: int
    number: int
    facets: dict
    has_next: bool


def search_page(session, ctx: ViewContext, filters: Filters) -> SearchPage:
    """The products matching the filters through the search index, a numbered page.

    Raises :class:`~pim.search.query.SearchSyntaxError` for a query it cannot read.
    """
    field, descending = SORTS.get(filters.sort or "relevance")
    if field == "completeness":
        field = f"completeness.{ctx.scope}.{ctx.locale}"
    found = search.search(
        session,
        filters.query_text(),
        kinds=("product",),
        sort=None if field == "relevance" else field,
        descending=descending,
        offset=(filters.page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        facets=facets_for(ctx),
    )
    ids = [hit.id for hit in found.items]
    by_id = {r.id: r for r in session.execute(_filtered(ctx, Filters()).where(Product.id.in_(ids)))}
    rows = _rows(session, ctx, [by_id[i] for i in ids if i in by_id])
    has_next = filters.page * PAGE_SIZE < found.total
    return SearchPage(rows, found.total, filters.page, found.facets, has_next)


#: Facets shown beside search results, before the variant axes' attributes.
FACETS = ("family", "status", "lifecycle", "has", "category")


def facet_label(ctx: ViewContext, name: str, value: str) -> str:
    """What a facet value is called in the chosen locale (its code when it has no label)."""
    structure = ctx.structure
    labels: dict = {}
    if name == "family" and value in structure.families:
        labels = structure.families[value].labels
    elif name.startswith("attr.") and name[5:] in structure.attributes:
        labels = structure.attributes[name[5:]].options.get(value) or {}
    elif name in ("status", "lifecycle", "has"):
        return value.replace("_", " ")
    return labels.get(ctx.locale) or next((t for t in labels.values() if t), value)


def facets_for(ctx: ViewContext) -> tuple[str, ...]:
    axes = {
        code
        for variant in ctx.structure.family_variants.values()
        for level in variant.axes.values()
        for code in level
    }
    return FACETS + tuple(f"attr.{code}" for code in sorted(axes))


def _filtered(ctx: ViewContext, filters: Filters):
    query = select(
        Product.id,
        Product.identifier,
        Product.family_id,
        Product.parent_id,
        Product.enabled,
        Product.workflow_status,
        Product.values,
        ProductModel.code,
    ).outerjoin(ProductModel, ProductModel.id == Product.parent_id)
    if filters.text:
        pattern = "%" + _escape_like(filters.text) + "%"
        query = query.where(Product.identifier.ilike(pattern, escape="\\"))
    if filters.family:
        family = ctx.structure.families.get(filters.family)
        query = query.where(Product.family_id == (family.id if family else -1))
    if filters.status:
        query = query.where(Product.workflow_status == filters.status)
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rows(session, ctx: ViewContext, found) -> list[Row]:
    families = {spec.id: spec for spec in ctx.structure.families.values()}
    models = ModelValues(session)
    models.load({r.parent_id for r in found})
    ratios = _ratios(session, ctx, [r.id for r in found])
    rows = []
    for r in found:
        family = families.get(r.family_id)
        values = models.merged(r.parent_id, r.values or {})
        rows.append(
            Row(
                id=r.id,
                identifier=r.identifier,
                label=_label(ctx, family, values),
                family=family.code if family else None,
                parent=r.code,
                enabled=r.enabled,
                workflow_status=r.workflow_status,
                ratio=ratios.get(r.id),
            )
        )
    return rows


def _label(ctx: ViewContext, family, values: dict) -> str | None:
    """The family's label attribute in the chosen locale (and channel, when scopable)."""
    if family is None or family.label_attribute is None:
        return None
    attr = ctx.structure.attributes.get(family.label_attribute)
    if attr is None:
        return None
    locale = ctx.locale if attr.localizable else None
    scope = ctx.scope if attr.scopable else None
    for entry in values.get(attr.code, ()):
        if entry["locale"] == locale and entry["scope"] == scope:
            return str(entry["data"])
    return None


def _ratios(session, ctx: ViewContext, product_ids: list[int]) -> dict[int, int]:
    """Stored completeness of the page's products for the chosen channel and locale."""
    if not product_ids or ctx.channel is None or ctx.locale is None:
        return {}
    locale_id = ctx.structure.locales.get(ctx.locale)
    rows = session.execute(
        select(Completeness.product_id, Completeness.ratio).where(
            Completeness.product_id.in_(product_ids),
            Completeness.channel_id == ctx.channel.id,
            Completeness.locale_id == locale_id,
        )
    )
    return dict(rows.all())
