"""List filters shared by the API's resources: each turns a query argument into a SQL
condition, or answers 422 naming the argument when it refers to something unknown."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from pim.api.problems import ApiError
from pim.api.schemas import COMPLETENESS_FILTER
from pim.models import Category, Completeness
from pim.search import indexer
from pim.search.query import SearchSyntaxError, parse
from pim.search.service import translated_locales
from pim.services.structure_cache import Structure

#: A search matching more items than this must be narrowed (its ids are kept in memory).
MAX_SEARCH_MATCHES = 100_000
_OPERATORS = {
    "<": lambda c, v: c < v,
    "<=": lambda c, v: c <= v,
    ">": lambda c, v: c > v,
    ">=": lambda c, v: c >= v,
    "=": lambda c, v: c == v,
}


def invalid(field: str, message: str) -> ApiError:
    """A 422 about one query argument."""
    return ApiError(
        422, "The request has invalid fields.", errors=[{"field": field, "message": message}]
    )


def family_id(structure: Structure, code: str) -> int:
    """The id of family ``code``; 422 when unknown."""
    family = structure.families.get(code)
    if family is None:
        raise invalid("family", f"unknown family {code!r}")
    return family.id


def category_subtree(session, codes: list[str]):
    """A subquery of the ids of ``codes`` and all their sub-categories; 422 for an
    unknown code."""
    found = dict(
        session.execute(select(Category.code, Category.path).where(Category.code.in_(codes))).all()
    )
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise invalid("categories", f"unknown categories: {', '.join(unknown)}")
    return select(Category.id).where(or_(*(Category.path.startswith(p) for p in found.values())))


def completeness_clause(structure: Structure, model_id_column, items: list[str]):
    """Products whose stored completeness meets every ``CHANNEL:LOCALE:OP PERCENT``."""
    clauses = []
    for item in items:
        match = COMPLETENESS_FILTER.match(item)
        channel = structure.channels.get(match["channel"])
        if channel is None:
            raise invalid("completeness", f"unknown channel {match['channel']!r}")
        if match["locale"] not in channel.locales:
            raise invalid(
                "completeness", f"channel {channel.code} has no locale {match['locale']!r}"
            )
        locale_id = structure.locales[match["locale"]]
        ratio = _OPERATORS[match["op"]](Completeness.ratio, int(match["percent"]))
        clauses.append(
            model_id_column.in_(
                select(Completeness.product_id).where(
                    Completeness.channel_id == channel.id,
                    Completeness.locale_id == locale_id,
                    ratio,
                )
            )
        )
    return and_(*clauses)


def search_ids(session, text: str, kind: str) -> set[int]:
    """Ids of the items of ``kind`` matching ``text`` in the UI's search syntax."""
    structure = Structure.current(session)
    source = indexer.sources().get(kind)  # a plugin's kind (assets) has fields of its own
    extra = frozenset(source.fields if source else ())
    try:
        query = parse(
            text,
            attributes=frozenset(structure.attributes),
            kinds=(kind,),
            fields=extra,
            locales=translated_locales(structure),
        )
    except SearchSyntaxError as error:
        raise invalid("search", str(error)) from None
    if query.kinds != (kind,):
        raise invalid("search", f"this list only holds items of kind {kind}")
    query.sort, query.descending, query.facets = "key", False, ()
    query.offset, query.limit = 0, MAX_SEARCH_MATCHES + 1
    results = indexer.backend().search(query)
    if results.total > MAX_SEARCH_MATCHES:
        raise invalid("search", f"matches more than {MAX_SEARCH_MATCHES} items: narrow it")
    prefix = f"{kind}:"
    return {int(key[len(prefix) :]) for key in results.keys if key.startswith(prefix)}
