"""What the views, the API and the CLI call: parse the user's query, search, load the rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from pim.models import Product, ProductModel
from pim.search import indexer
from pim.search.base import Results
from pim.search.query import parse
from pim.services.structure_cache import Structure
from pim.services.translation_status import source_locale

#: Facets the product grid shows, besides select attributes the caller asks for.
DEFAULT_FACETS = ("family", "status", "lifecycle", "category", "has")


@dataclass
class Hit:
    kind: str
    id: int
    code: str
    item: Product | ProductModel | None = None


@dataclass
class Page:
    items: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def search(
    session,
    text: str,
    *,
    kinds: tuple[str, ...] = ("product", "model"),
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 50,
    facets: tuple[str, ...] = DEFAULT_FACETS,
) -> Page:
    """Products and models matching ``text`` (the query syntax), a page of them loaded.

    Raises :class:`~pim.search.query.SearchSyntaxError` for a query it cannot read.
    """
    structure = Structure.current(session)
    known = indexer.sources()
    extra = frozenset(name for kind in kinds if kind in known for name in known[kind].fields)
    query = parse(
        text,
        attributes=frozenset(structure.attributes),
        kinds=kinds,
        fields=extra,
        locales=translated_locales(structure),
    )
    if sort is not None and "sort:" not in (text or ""):
        query.sort, query.descending = sort, descending
    if query.sort == "relevance" and not query.words:
        query.sort, query.descending = "updated", True
    query.offset, query.limit, query.facets = max(0, offset), max(1, min(limit, 500)), facets
    results = indexer.backend().search(query)
    return Page(load(session, results), results.total, results.facets)


def translated_locales(structure: Structure) -> frozenset[str]:
    """The locales the ``translation:`` filter takes: active ones but the source locale."""
    return structure.active_locales - {source_locale()}


def load(session, results: Results) -> list[Hit]:
    """The rows of a page of results, in the results' order (keys whose row is gone are
    dropped: the index is catching up with a delete)."""
    ids: dict[str, list[int]] = {}
    for key in results.keys:
        kind, _, id_ = key.partition(":")
        ids.setdefault(kind, []).append(int(id_))
    rows: dict[str, object] = {}
    if ids.get("product"):
        for product in session.scalars(select(Product).where(Product.id.in_(ids["product"]))):
            rows[f"product:{product.id}"] = Hit("product", product.id, product.identifier, product)
    if ids.get("model"):
        for model in session.scalars(select(ProductModel).where(ProductModel.id.in_(ids["model"]))):
            rows[f"model:{model.id}"] = Hit("model", model.id, model.code, model)
    hits = []
    for key in results.keys:
        kind, _, id_ = key.partition(":")
        hit = rows.get(key)
        if hit is None and kind not in ("product", "model"):
            hit = Hit(kind, int(id_), key)
        if hit is not None:
            hits.append(hit)
    return hits
