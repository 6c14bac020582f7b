"""The product list: filters, keyset pagination and one page of rows in a few queries.

Pages are cut on ``product.id`` (``after`` / ``before`` cursors) instead of OFFSET, so the
last page of 100,000 products is as fast as the first. Labels need the parent models'
values and the badge needs completeness: both are loaded for the whole page at once.

The grid's display choices (:class:`Display`) cost no query per row: attribute columns
(``cols=name-fr_FR,color``) read the values the page query already loaded, thumbnails come
from the DAM's ``vitrine_thumbnail_url`` hook in one call per page, and "group by model"
pages on root models with their sub-models and variants loaded in three queries.

In a locale other than the translation source locale, each row also shows its translation
status there (missing and outdated translations, inherited values included), computed from
the values and stamps the page loaded (one more query for the models' stamps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from pim.models import Category, Completeness, Product, ProductModel, WorkflowStatus
from pim.search import service as search
from pim.services import saved_views
from pim.services.inheritance import ModelValues, merge_values
from pim.services.structure_cache import AttrSpec, Structure
from pim.services.translation_status import LocaleStatus, item_status, source_locale
from pim.web.context import ViewContext
from pim.web.display import EMPTY, show_value

PAGE_SIZE = 50
#: Attribute columns one grid may show.
MAX_COLUMNS = 20
#: ``app.extensions`` key of the thumbnail hook: ``(asset_code) -> url | None``, with an
#: optional ``many(codes) -> {code: url}`` that answers a whole page at once.
THUMBNAIL_HOOK = "vitrine_thumbnail_url"


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


@dataclass(frozen=True)
class Column:
    """An attribute shown as a column; ``locale`` / ``scope`` fixed, or None to follow the
    grid's locale and channel (when the attribute has them)."""

    attribute: AttrSpec
    locale: str | None = None
    scope: str | None = None

    @property
    def spec(self) -> str:
        """How the ``cols`` parameter names it: ``name-fr_FR``, ``description-en_US-print``."""
        return "-".join(p for p in (self.attribute.code, self.locale, self.scope) if p)

    def where(self, ctx: ViewContext) -> tuple[str | None, str | None]:
        """The (locale, scope) whose value the column shows in this context."""
        attr = self.attribute
        locale = (self.locale or ctx.locale) if attr.localizable else None
        scope = (self.scope or ctx.scope) if attr.scopable else None
        return locale, scope

    def label(self, locale: str | None) -> str:
        return self.attribute.label(locale)


def parse_column(structure: Structure, spec: str) -> Column | None:
    """The column named by ``spec`` (``code[-locale][-channel]``); None when it names no
    attribute, or a locale or channel the attribute does not take."""
    code, *rest = spec.strip().split("-")
    attr = structure.attributes.get(code)
    if attr is None or len(rest) > 2:
        return None
    locale = scope = None
    for part in rest:
        if attr.localizable and locale is None and scope is None and part in structure.locales:
            locale = part
        elif attr.scopable and scope is None and part in structure.channels:
            scope = part
        else:
            return None
    return Column(attr, locale, scope)


def parse_columns(structure: Structure, text: str) -> tuple[Column, ...]:
    """The columns of a ``cols`` parameter, unknown ones dropped, each once."""
    columns: dict[str, Column] = {}
    for spec in (text or "").split(","):
        column = parse_column(structure, spec) if spec.strip() else None
        if column is not None and len(columns) < MAX_COLUMNS:
            columns.setdefault(column.spec, column)
    return tuple(columns.values())


@dataclass(frozen=True)
class Display:
    """How the grid shows rows: attribute columns, and whether variants are grouped under
    their models."""

    columns: tuple[Column, ...] = ()
    group: bool = False

    @classmethod
    def from_args(cls, structure: Structure, args) -> Display:
        return cls(
            columns=parse_columns(structure, args.get("cols", "")[:2000]),
            group=args.get("group") == "model",
        )

    @property
    def cols(self) -> str:
        return ",".join(c.spec for c in self.columns)

    def params(self, **changes) -> dict:
        """Query parameters repeating these choices (empty ones left out)."""
        pairs = {"cols": self.cols, "group": "model" if self.group else "", **changes}
        return {k: v for k, v in pairs.items() if v}

    def adding(self, column: Column | None) -> Display:
        """These choices with one more column (at the end; an existing one stays put)."""
        if column is None or any(c.spec == column.spec for c in self.columns):
            return self
        return Display((*self.columns, column)[:MAX_COLUMNS], self.group)

    def without(self, column: Column) -> str:
        """The ``cols`` parameter without ``column``."""
        return ",".join(c.spec for c in self.columns if c.spec != column.spec)


NO_DISPLAY = Display()


def added_column(structure: Structure, args) -> Column | None:
    """The column the column chooser adds (``add_col`` with ``add_col_locale`` and
    ``add_col_scope``; a locale or channel the attribute does not take is ignored)."""
    attr = structure.attributes.get(args.get("add_col", ""))
    if attr is None:
        return None
    locale = args.get("add_col_locale", "") if attr.localizable else ""
    scope = args.get("add_col_scope", "") if attr.scopable else ""
    return parse_column(structure, "-".join(p for p in (attr.code, locale, scope) if p))


def saved_view_links(session, user) -> list[tuple[str, dict]]:
    """The user's saved views for the grid's menu: (name, the list's parameters)."""
    return [(v.name, saved_views.view_params(v)) for v in saved_views.views_of(session, user)]


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
    #: the text of each attribute column, in the display's order
    cells: list[str] = field(default_factory=list)
    #: the first asset of the family's image attribute, and its thumbnail's URL
    image: str | None = None
    thumbnail: str | None = None
    #: missing and outdated translations in the grid's locale (None: the source locale)
    translation: LocaleStatus | None = None


@dataclass
class Page:
    rows: list[Row]
    next_after: int | None
    prev_before: int | None
    #: the grid's locale when translations are made into it (rows then show their status)
    translation_locale: str | None = None


def fetch_page(
    session, ctx: ViewContext, filters: Filters, after=None, before=None, display=NO_DISPLAY
) -> Page:
    """Up to :data:`PAGE_SIZE` products after (or before) a cursor, with labels and ratios."""
    found, next_after, prev_before = _keyset(
        session, _filtered(ctx, filters), Product.id, after, before
    )
    rows = _rows(session, ctx, found, display)
    if not rows:
        return Page([], None, None, translated_locale(ctx))
    return Page(rows, next_after, prev_before, translated_locale(ctx))


def _keyset(session, query, key, after, before) -> tuple[list, int | None, int | None]:
    """A page of ``query`` cut on ``key`` after (or before) a cursor, and the cursors of
    the next and previous pages (None when there is none)."""
    if before is not None:
        query = query.where(key < before).order_by(key.desc())
    else:
        if after is not None:
            query = query.where(key > after)
        query = query.order_by(key)
    found = session.execute(query.limit(PAGE_SIZE + 1)).all()
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    if before is not None:
        found.reverse()
    if not found:
        return [], None, None
    has_next = more if before is None else True
    has_prev = (after is not None) if before is None else more
    return found, found[-1].id if has_next else None, found[0].id if has_prev else None


@dataclass
class SearchPage:
    """A page of search results: rows in the index's order, total and facet counts."""

    rows: list[Row]
    total: int
    number: int
    facets: dict
    has_next: bool
    #: labels of the categories listed in the facets, by code
    category_labels: dict = field(default_factory=dict)
    translation_locale: str | None = None


def search_page(
    session, ctx: ViewContext, filters: Filters, display: Display = NO_DISPLAY
) -> SearchPage:
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
    rows = _rows(session, ctx, [by_id[i] for i in ids if i in by_id], display)
    has_next = filters.page * PAGE_SIZE < found.total
    shown = [code for code, _ in found.facets.get("category", ())]
    labels = {}
    if shown:
        query = select(Category.code, Category.labels).where(Category.code.in_(shown))
        labels = dict(session.execute(query).all())
    locale = translated_locale(ctx)
    return SearchPage(rows, found.total, filters.page, found.facets, has_next, labels, locale)


#: Facets shown beside search results, before the variant axes' attributes.
FACETS = ("family", "status", "lifecycle", "has", "category")


#: What the translation facet's values are called.
TRANSLATION_STATES = {
    "missing": _l("missing translations"),
    "outdated": _l("outdated translations"),
    "complete": _l("fully translated"),
}


def translated_locale(ctx: ViewContext) -> str | None:
    """The grid's locale when translations are made into it (not the source locale)."""
    locale = ctx.locale
    if locale is None or locale == source_locale():
        return None
    return locale if locale in ctx.structure.active_locales else None


def facet_label(ctx: ViewContext, name: str, value: str, categories: dict | None = None) -> str:
    """What a facet value is called in the chosen locale (its code when it has no label)."""
    structure = ctx.structure
    labels: dict = {}
    if name.startswith("translation."):
        return str(TRANSLATION_STATES.get(value, value))
    if name == "category":
        labels = (categories or {}).get(value) or {}
    elif name == "family" and value in structure.families:
        labels = structure.families[value].labels
    elif name.startswith("attr.") and name[5:] in structure.attributes:
        labels = structure.attributes[name[5:]].options.get(value) or {}
    elif name in ("status", "lifecycle", "has"):
        return value.replace("_", " ")
    return labels.get(ctx.locale) or next((t for t in labels.values() if t), value)


def facets_for(ctx: ViewContext) -> tuple[str, ...]:
    """The grid's facets, the translation status in its locale (when translated) included."""
    axes = {
        code
        for variant in ctx.structure.family_variants.values()
        for level in variant.axes.values()
        for code in level
    }
    locale = translated_locale(ctx)
    translation = (f"translation.{locale}",) if locale else ()
    return FACETS + translation + tuple(f"attr.{code}" for code in sorted(axes))


def _filtered(ctx: ViewContext, filters: Filters):
    query = select(
        Product.id,
        Product.identifier,
        Product.family_id,
        Product.parent_id,
        Product.enabled,
        Product.workflow_status,
        Product.values,
        Product.translation_sources,
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


def _rows(session, ctx: ViewContext, found, display=NO_DISPLAY, models=None) -> list[Row]:
    """Rows of the products ``found`` (page query results); ``models`` has their parent
    models' values when the caller loaded them already."""
    families = {spec.id: spec for spec in ctx.structure.families.values()}
    if models is None:
        models = ModelValues(session)
        models.load({r.parent_id for r in found})
    ratios = _ratios(session, ctx, [r.id for r in found])
    translations = _Translations(session, ctx, {r.parent_id for r in found})
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
                cells=cells(ctx, display, values),
                image=_image(ctx, family, values),
                translation=translations.status(r, family, values),
            )
        )
    add_thumbnails(rows)
    return rows


class _Translations:
    """The translation status of a page's rows in the grid's locale: the stamps of their
    parent models (and theirs) loaded at once, the status computed from the merged values."""

    def __init__(self, session, ctx: ViewContext, parent_ids):
        self.structure = ctx.structure
        self.locale = translated_locale(ctx)
        self.source = source_locale()
        self.models: dict[int, tuple[int | None, dict]] = {}
        missing = {i for i in parent_ids if i is not None} if self.locale else set()
        while missing:
            rows = session.execute(
                select(
                    ProductModel.id, ProductModel.parent_id, ProductModel.translation_sources
                ).where(ProductModel.id.in_(missing))
            ).all()
            for id_, parent_id, stamps in rows:
                self.models[id_] = (parent_id, stamps or {})
            missing = {p for _, p, _ in rows if p is not None and p not in self.models}

    def status(self, row, family, values: dict) -> LocaleStatus | None:
        if self.locale is None:
            return None
        chain = [row.translation_sources or {}]
        parent_id = row.parent_id
        while parent_id is not None and parent_id in self.models:
            parent_id, stamps = self.models[parent_id]
            chain.append(stamps)
        stamps: dict = {}
        for level in reversed(chain):
            stamps.update(level)
        codes = family.attributes if family is not None else values
        attributes = self.structure.attributes
        found = item_status(values, stamps, attributes, codes, [self.locale], self.source)
        return found[self.locale]


def cells(ctx: ViewContext, display: Display, values: dict) -> list[str]:
    """The text of each attribute column for effective ``values``, as the product page
    shows values (option labels, units, words of rich text)."""
    out = []
    for column in display.columns:
        locale, scope = column.where(ctx)
        data = _data(values, column.attribute.code, locale, scope)
        out.append(EMPTY if data is None else show_value(column.attribute, data, ctx.locale))
    return out


def _data(values: dict, code: str, locale, scope):
    for entry in values.get(code, ()):
        if entry["locale"] == locale and entry["scope"] == scope:
            return entry["data"]
    return None


def _image(ctx: ViewContext, family, values: dict) -> str | None:
    """The first asset code of the family's image attribute (what the DAM fills)."""
    if family is None or family.image_attribute is None:
        return None
    attr = ctx.structure.attributes.get(family.image_attribute)
    if attr is None:
        return None
    locale = ctx.locale if attr.localizable else None
    scope = ctx.scope if attr.scopable else None
    data = _data(values, attr.code, locale, scope)
    if isinstance(data, list) and data and isinstance(data[0], str):
        return data[0]
    return data if isinstance(data, str) and data else None


def thumbnail_hook() -> Callable | None:
    """The app's thumbnail hook (registered by the DAM), or None without a DAM."""
    return current_app.extensions.get(THUMBNAIL_HOOK)


def add_thumbnails(rows) -> None:
    """Set ``thumbnail`` on rows with an image, asking the hook once for the whole page."""
    hook = thumbnail_hook()
    codes = {row.image for row in rows if row.image}
    if hook is None or not codes:
        return
    many = getattr(hook, "many", None)
    urls = many(codes) if many is not None else {code: hook(code) for code in codes}
    for row in rows:
        row.thumbnail = urls.get(row.image) if row.image else None


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


# --- variants grouped under their models ---------------------------------------------------


@dataclass
class ModelRow:
    """A root model or a sub-model heading its variants."""

    id: int
    code: str
    label: str | None
    family: str | None
    cells: list[str] = field(default_factory=list)
    image: str | None = None
    thumbnail: str | None = None


@dataclass
class SubGroup:
    """A sub-model and its variants."""

    model: ModelRow
    rows: list[Row]


@dataclass
class ModelGroup:
    """A root model with the variants attached to it and its sub-models with theirs."""

    model: ModelRow
    rows: list[Row]
    subgroups: list[SubGroup]

    @property
    def count(self) -> int:
        return len(self.rows) + sum(len(sub.rows) for sub in self.subgroups)


@dataclass
class ModelPage:
    """A keyset page of root models (cut on the root model's id)."""

    groups: list[ModelGroup]
    next_after: int | None
    prev_before: int | None
    translation_locale: str | None = None


class _KnownModels:
    """Model values already loaded with the page: :class:`ModelValues`'s ``merged``."""

    def __init__(self, rows):
        self.parents = {r.id: (r.parent_id, r.values or {}) for r in rows}

    def merged(self, parent_id, own: dict) -> dict:
        chain = []
        while parent_id is not None and parent_id in self.parents:
            parent_id, values = self.parents[parent_id]
            chain.append(values)
        return merge_values(*reversed(chain), own)


def fetch_model_page(
    session, ctx: ViewContext, filters: Filters, display: Display, after=None, before=None
) -> ModelPage:
    """Root models after (or before) a cursor, each with its sub-models and variants.

    Filters: the family, the workflow status (models with a variant in it, and only those
    variants) and the text as part of a model code or a variant identifier. The search
    syntax is the flat list's; here the text is matched literally.
    """
    roots, next_after, prev_before = _keyset(
        session, _root_models(ctx, filters), ProductModel.id, after, before
    )
    if not roots:
        return ModelPage([], None, None)
    root_ids = [r.id for r in roots]
    subs = session.execute(
        select(ProductModel.id, ProductModel.code, ProductModel.parent_id, ProductModel.values)
        .where(ProductModel.parent_id.in_(root_ids))
        .order_by(ProductModel.code)
    ).all()
    variants = session.execute(
        _filtered(ctx, Filters(status=filters.status))
        .where(Product.parent_id.in_(root_ids + [s.id for s in subs]))
        .order_by(Product.identifier)
    ).all()
    known = _KnownModels([*roots, *subs])
    rows = _rows(session, ctx, variants, display, models=known)
    groups = _groups(ctx, display, roots, subs, rows, known)
    return ModelPage(groups, next_after, prev_before, translated_locale(ctx))


def _root_models(ctx: ViewContext, filters: Filters):
    query = select(
        ProductModel.id,
        ProductModel.code,
        ProductModel.family_variant_id,
        ProductModel.values,
        ProductModel.parent_id,
    ).where(ProductModel.parent_id.is_(None))
    if filters.family:
        variant_ids = [
            v.id for v in ctx.structure.family_variants.values() if v.family == filters.family
        ]
        query = query.where(ProductModel.family_variant_id.in_(variant_ids or [-1]))
    if filters.status:
        query = query.where(
            exists(_variants_of_root().where(Product.workflow_status == filters.status))
        )
    if filters.text:
        pattern = "%" + _escape_like(filters.text) + "%"
        query = query.where(
            or_(
                ProductModel.code.ilike(pattern, escape="\\"),
                exists(_variants_of_root().where(Product.identifier.ilike(pattern, escape="\\"))),
            )
        )
    return query


def _variants_of_root():
    """Products under the outer query's root model, directly or through a sub-model."""
    sub = ProductModel.__table__.alias("sub")
    return (
        select(Product.id)
        .outerjoin(sub, sub.c.id == Product.parent_id)
        .where(or_(Product.parent_id == ProductModel.id, sub.c.parent_id == ProductModel.id))
        .correlate(ProductModel)
    )


def _groups(ctx, display, roots, subs, rows, known) -> list[ModelGroup]:
    by_parent: dict[str, list[Row]] = {}
    for row in rows:
        by_parent.setdefault(row.parent, []).append(row)
    variants = {v.id: v for v in ctx.structure.family_variants.values()}
    family_of = {r.id: variants.get(r.family_variant_id) for r in roots}
    headings = [_model_row(ctx, display, r, family_of[r.id], known) for r in roots]
    sub_rows = [_model_row(ctx, display, s, family_of.get(s.parent_id), known) for s in subs]
    add_thumbnails(headings + sub_rows)
    groups = []
    for root, heading in zip(roots, headings, strict=True):
        subgroups = [
            SubGroup(sub_row, by_parent.get(sub.code, []))
            for sub, sub_row in zip(subs, sub_rows, strict=True)
            if sub.parent_id == root.id
        ]
        groups.append(ModelGroup(heading, by_parent.get(root.code, []), subgroups))
    return groups


def _model_row(ctx, display, model, variant, known) -> ModelRow:
    family = ctx.structure.families.get(variant.family) if variant else None
    values = known.merged(model.parent_id, model.values or {})
    return ModelRow(
        id=model.id,
        code=model.code,
        label=_label(ctx, family, values),
        family=family.code if family else None,
        cells=cells(ctx, display, values),
        image=_image(ctx, family, values),
    )
