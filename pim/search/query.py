"""The query syntax users type into the search box, parsed into a :class:`~pim.search.base.Query`.

::

    crew tee family:tshirts color:red -status:draft completeness:ecommerce/fr_FR<100
    has:images updated>=2026-11-01 category:women "organic cotton" sort:-updated

* Words (and quoted phrases) are free text: every word must start a word of the item
  (identifier, codes, labels and text values in every locale). A phrase is its words;
  their order is not checked.
* ``name:value`` keeps items whose field ``name`` holds ``value`` exactly (quote values
  with spaces: ``category:"new in"``); the same field twice means either value
  (``color:red color:blue``); ``-name:value`` excludes. Fields: ``kind`` (product, model,
  asset), ``family``, ``category`` (an item in a sub-category is in its ancestors too),
  ``status`` (workflow), ``lifecycle``, ``enabled`` (yes/no), ``model`` (any ancestor model
  code), ``has`` (``images``), ``identifier`` (the whole identifier or code, any case);
  any other name is an attribute code and
  matches option codes or yes/no of boolean attributes (``color:red``, ``organic:yes``).
* ``completeness:CHANNEL/LOCALE`` followed by ``<``, ``<=``, ``>``, ``>=`` or ``=`` and a
  percentage; ``updated`` and ``created`` compare with a date (``updated>=2026-11-01``).
* ``translation:LOCALE=STATE`` keeps items whose translations into ``LOCALE`` (an active
  locale other than the source locale) are ``missing`` (some text has no translation),
  ``outdated`` (some translation was made from an older source text) or ``complete``
  (neither); an item may be both missing and outdated. Twice for one locale means either
  (``translation:fr_FR=missing translation:fr_FR=outdated``: anything to do).
* ``sort:FIELD`` or ``sort:-FIELD`` (descending): ``relevance``, ``identifier``, ``label``,
  ``updated``, ``created``, ``family`` or ``completeness:CHANNEL/LOCALE``.

Mistakes are reported with :class:`SearchSyntaxError`, naming the part of the query.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, date, datetime

from pim.search.base import Query, Range, Term, tokens

#: Field names with a meaning of their own; any other name is an attribute code.
RESERVED = ("kind", "family", "category", "status", "lifecycle", "enabled", "model", "has")
SORTS = ("relevance", "identifier", "label", "updated", "created", "family")
DATE_FIELDS = ("updated", "created")
#: Attribute fields are stored under this prefix so they never clash with reserved ones.
ATTRIBUTE_PREFIX = "attr."

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<neg>-)?(?P<name>[A-Za-z_][\w.]*)
            (?:(?P<colon>:)|(?P<op><=|>=|<|>|=))
            (?P<value>"[^"]*"?|[^\s"]*)
      | "(?P<phrase>[^"]*)"?
      | (?P<word>\S+)
    )""",
    re.VERBOSE,
)
TRANSLATION_STATES = ("missing", "outdated", "complete")
_TRANSLATION = re.compile(r"^(?P<locale>[A-Za-z0-9_-]+)=(?P<state>\w*)$")
_COMPLETENESS = re.compile(r"^(?P<scope>[\w-]+/[\w-]+)(?P<op><=|>=|<|>|=)(?P<value>.+)$")


class SearchSyntaxError(ValueError):
    """The query cannot be understood; the message names the offending part."""


def completeness_field(channel: str, locale: str) -> str:
    return f"completeness.{channel}.{locale}"


def translation_field(locale: str) -> str:
    """The document field holding an item's translation states in ``locale``."""
    return f"translation.{locale}"


def parse(
    text: str,
    *,
    attributes: frozenset[str] | None = None,
    kinds: tuple[str, ...] = (),
    fields: frozenset[str] = frozenset(),
    locales: frozenset[str] | None = None,
) -> Query:
    """``text`` as a query. With ``attributes`` given, unknown field names are errors
    (with a suggestion); ``kinds`` is the default kind filter (``kind:`` overrides it);
    ``fields`` are further plain field names (those of other kinds, e.g. assets');
    ``locales`` (when given) the locales ``translation:`` accepts."""
    query = Query(kinds=kinds)
    kind_terms: list[str] = []
    position = 0
    text = text or ""
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        if match["phrase"] is not None:
            query.words += tokens(match["phrase"])
        elif match["word"] is not None:
            query.words += tokens(match["word"])
        elif match["name"] is not None:
            _filter(query, match, attributes, kind_terms, fields, locales)
    if kind_terms:
        query.kinds = tuple(dict.fromkeys(kind_terms))
    return query


def _filter(
    query: Query, match: re.Match, attributes, kind_terms: list[str], fields, locales=None
) -> None:
    raw = match.group(0).strip()
    name = match["name"].lower()
    value = match["value"]
    if value.startswith('"'):
        value = value.strip('"')
    negate = bool(match["neg"])
    op = match["op"]
    if name == "sort":
        _sort(query, value, raw)
        return
    if name == "completeness":
        _completeness(query, value if op is None else "", raw)
        return
    if name == "translation":
        _translation(query, value if op is None else "", raw, negate, locales)
        return
    if name in DATE_FIELDS:
        if op is None:
            raise SearchSyntaxError(f"{raw}: compare {name} with a date, e.g. {name}>=2026-11-01")
        query.ranges.append(Range(name, op, _timestamp(value, raw)))
        return
    if op is not None:
        raise SearchSyntaxError(
            f"{raw}: only completeness, updated and created compare with {op}; "
            f"use {name}:VALUE to filter"
        )
    if not value:
        raise SearchSyntaxError(f"{raw}: give a value after the colon")
    if name == "kind":
        if value not in ("product", "model", "asset"):
            raise SearchSyntaxError(f"{raw}: kind is product, model or asset")
        if negate:
            query.terms.append(Term("kind", value, negate=True))
        else:
            kind_terms.append(value)
        return
    if name == "identifier":
        query.terms.append(Term("identifier", value.lower(), negate=negate))
        return
    if name not in RESERVED and name not in fields:
        if attributes is not None and name not in attributes:
            raise SearchSyntaxError(_unknown(name, raw, attributes | fields))
        name = ATTRIBUTE_PREFIX + name
    query.terms.append(Term(name, value, negate=negate))


def _unknown(name: str, raw: str, attributes) -> str:
    choices = [
        *RESERVED,
        "completeness",
        "translation",
        "updated",
        "created",
        "sort",
        *sorted(attributes),
    ]
    close = difflib.get_close_matches(name, choices, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{raw}: no filter or attribute named {name!r}{hint}"


def _completeness(query: Query, value: str, raw: str) -> None:
    match = _COMPLETENESS.match(value)
    if match is None:
        raise SearchSyntaxError(
            f"{raw}: write completeness:CHANNEL/LOCALE<100 (or <=, >, >=, = and a percentage)"
        )
    channel, locale = match["scope"].split("/")
    number = _number(match["value"], raw)
    if not 0 <= number <= 100:
        raise SearchSyntaxError(f"{raw}: completeness is a percentage from 0 to 100")
    query.ranges.append(Range(completeness_field(channel, locale), match["op"], number))


def _translation(query: Query, value: str, raw: str, negate: bool, locales) -> None:
    match = _TRANSLATION.match(value)
    if match is None:
        raise SearchSyntaxError(
            f"{raw}: write translation:LOCALE=STATE, e.g. translation:fr_FR=outdated"
        )
    locale, state = match["locale"], match["state"].lower()
    if locales is not None and locale not in locales:
        known = ", ".join(sorted(locales)) or "none"
        raise SearchSyntaxError(
            f"{raw}: {locale!r} is not a locale translations are made into ({known})"
        )
    if state not in TRANSLATION_STATES:
        raise SearchSyntaxError(f"{raw}: the state is {', '.join(TRANSLATION_STATES)}")
    query.terms.append(Term(translation_field(locale), state, negate=negate))


def _sort(query: Query, value: str, raw: str) -> None:
    descending = value.startswith("-")
    name = value.lstrip("-")
    if name.startswith("completeness:"):
        scope = name.split(":", 1)[1]
        if scope.count("/") != 1:
            raise SearchSyntaxError(f"{raw}: sort by completeness:CHANNEL/LOCALE")
        channel, locale = scope.split("/")
        query.sort = completeness_field(channel, locale)
    elif name in SORTS:
        query.sort = name
    else:
        raise SearchSyntaxError(
            f"{raw}: sort by one of {', '.join(SORTS)} or completeness:CHANNEL/LOCALE"
        )
    query.descending = descending


def _number(text: str, raw: str) -> float:
    try:
        return float(text.rstrip("%"))
    except ValueError:
        raise SearchSyntaxError(f"{raw}: {text!r} is not a number") from None


def _timestamp(text: str, raw: str) -> float:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise SearchSyntaxError(f"{raw}: {text!r} is not a date (YYYY-MM-DD)") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
