"""Search in a PostgreSQL table with full text (``postgresql://…`` as ``SEARCH_URL``).

The table is a derived store, created here when missing (not by the app's migrations):

* ``tokens`` — a ``tsvector`` built with ``array_to_tsvector`` from the already normalised
  tokens (no text search parser: a token is a lexeme as is); words are matched with a
  ``tsquery`` cast from ``'word':* & …`` — not ``to_tsquery``, whose parser would split
  ``10e5x`` into two words;
* ``fields`` — ``jsonb`` of value lists, matched with ``@>`` (GIN, ``jsonb_path_ops``) and
  faceted with ``jsonb_array_elements_text`` over the matching rows;
* ``numbers`` / ``sortable`` — ``jsonb`` objects read with ``->>`` for ranges and sorting;
  sort strings are stored folded and compared byte-wise (``COLLATE "C"``), as are keys.

Statements are SQLAlchemy Core constructs: every value a caller gives, field names
included, is a bound parameter.
"""

from __future__ import annotations

import operator
import re
from functools import reduce

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    create_engine,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import (
    ARRAY,
    DOUBLE_PRECISION,
    JSONB,
    TSQUERY,
    TSVECTOR,
    insert,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from pim.config import sqlalchemy_url
from pim.search.base import Document, Query, Results, fold
from pim.search.memory import (
    COMPARE,
    check_ranges,
    index_tokens,
    page_bounds,
    query_words,
    sorted_facet,
)

#: Table names this backend accepts (``<name>_tokens`` must still fit PostgreSQL's 63).
TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,49}")

_REPLACED = ("kind", "tokens", "fields", "numbers", "sortable", "stamp")


def _table(name: str) -> Table:
    table = Table(
        name,
        MetaData(),
        Column("key", Text(collation="C"), primary_key=True),
        Column("kind", Text, nullable=False),
        Column("tokens", TSVECTOR, nullable=False),
        Column("fields", JSONB, nullable=False),
        Column("numbers", JSONB, nullable=False),
        Column("sortable", JSONB, nullable=False),
        Column("stamp", Text, nullable=False),
    )
    Index(f"{name}_tokens", table.c.tokens, postgresql_using="gin")
    Index(
        f"{name}_fields",
        table.c.fields,
        postgresql_using="gin",
        postgresql_ops={"fields": "jsonb_path_ops"},
    )
    return table


def _row(document: Document) -> dict:
    return {
        "key": document.key,
        "kind": document.kind,
        "words": index_tokens(document.tokens),
        "fields": {name: list(dict.fromkeys(v)) for name, v in document.fields.items()},
        "numbers": {name: float(v) for name, v in document.numbers.items()},
        "sortable": {name: fold(v) for name, v in document.sortable.items()},
        "stamp": document.stamp,
    }


def _tsquery(words: list[str], prefix: bool) -> ColumnElement:
    """``'w1':* & 'w2':*`` (``'w1'`` when not ``prefix``) as a bound ``tsquery``.

    The words are letters and digits only (``query_words``: no quote, backslash or
    operator), so quoting them needs no escaping.
    """
    suffix = ":*" if prefix else ""
    return cast(literal(" & ".join(f"'{word}'{suffix}" for word in words)), TSQUERY)


class PostgresBackend:
    """Documents in table ``table`` of the database at ``url`` (created when missing)."""

    def __init__(self, url: str, table: str = "search_document") -> None:
        if not TABLE_NAME.fullmatch(table):
            raise ValueError(f"search table name {table!r} must match {TABLE_NAME.pattern}")
        self.table = table
        self._table = _table(table)
        self._engine = create_engine(
            sqlalchemy_url(url),
            pool_size=2,
            max_overflow=4,
            # compiling these short scans to machine code takes longer than running them
            connect_args={"options": "-c jit=off"},
        )
        with self._engine.begin() as connection:
            # concurrent CREATE … IF NOT EXISTS can still collide: one process at a time
            connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(table))))
            self._table.metadata.create_all(connection)

    # --- writes ----------------------------------------------------------------------------

    def update(self, documents: list[Document]) -> None:
        rows = list({document.key: _row(document) for document in documents}.values())
        if not rows:
            return
        statement = insert(self._table).values(
            tokens=func.array_to_tsvector(bindparam("words", type_=ARRAY(Text)))
        )
        upsert = statement.on_conflict_do_update(
            index_elements=[self._table.c.key],
            set_={name: statement.excluded[name] for name in _REPLACED},
        )
        with self._engine.begin() as connection:
            connection.execute(upsert, rows)

    def delete(self, keys: list[str]) -> None:
        if keys:
            with self._engine.begin() as connection:
                every = any_(literal(list(keys), ARRAY(Text)))  # one parameter, any length
                connection.execute(self._table.delete().where(self._table.c.key == every))

    def clear(self) -> None:
        quoted = self._engine.dialect.identifier_preparer.quote(self.table)
        with self._engine.begin() as connection:
            connection.execute(text(f"TRUNCATE TABLE {quoted}"))

    # --- reads -----------------------------------------------------------------------------

    def search(self, query: Query) -> Results:
        check_ranges(query)
        words = query_words(query)
        condition = self._where(query, words)
        start, stop = page_bounds(query)
        columns = self._table.c
        page = (
            select(columns.key)
            .where(condition)
            .order_by(*self._order_by(query, words))
            .limit(stop - start)
            .offset(start)
        )
        total = select(func.count()).select_from(self._table).where(condition)
        with self._engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():  # one snapshot for the page, total and facets
                keys = list(connection.execute(page).scalars())
                count = connection.execute(total).scalar_one()
                facets = self._facets(connection, query.facets, condition)
        return Results(keys=keys, total=count, facets=facets)

    def _where(self, query: Query, words: list[str]) -> ColumnElement[bool]:
        columns = self._table.c
        clauses: list[ColumnElement[bool]] = []
        if words:
            clauses.append(columns.tokens.op("@@")(_tsquery(words, prefix=True)))
        if query.kinds:
            clauses.append(columns.kind.in_(query.kinds))
        wanted: dict[str, list[ColumnElement[bool]]] = {}
        for term in query.terms:
            holds = columns.fields.contains({term.field: [term.value]})
            if term.negate:
                clauses.append(~holds)
            else:
                wanted.setdefault(term.field, []).append(holds)
        clauses.extend(or_(*alternatives) for alternatives in wanted.values())
        for bound in query.ranges:
            number = cast(columns.numbers[bound.field].astext, DOUBLE_PRECISION)
            clauses.append(COMPARE[bound.op](number, float(bound.value)))
        return and_(true(), *clauses)

    def _order_by(self, query: Query, words: list[str]) -> list[ColumnElement]:
        columns = self._table.c
        if query.sort == "relevance":
            if not words:
                return [columns.key]
            hits = [columns.tokens.op("@@")(_tsquery([word], prefix=False)) for word in words]
            score = reduce(operator.add, (cast(hit, Integer) for hit in hits))
            return [score.desc(), columns.key]
        if query.sort == "key":
            return [columns.key.desc() if query.descending else columns.key]
        number = cast(columns.numbers[query.sort].astext, DOUBLE_PRECISION)
        string = columns.sortable[query.sort].astext.collate("C")
        if query.descending:
            return [number.desc().nulls_last(), string.desc().nulls_last(), columns.key]
        return [number.asc().nulls_last(), string.asc().nulls_last(), columns.key]

    def _facets(
        self, connection: Connection, names: tuple[str, ...], condition: ColumnElement[bool]
    ) -> dict[str, list[tuple[str, int]]]:
        """Every requested facet in one scan of the matches: ``(name, value, count)`` rows."""
        if not names:
            return {}
        wanted = list(dict.fromkeys(names))
        facet = func.unnest(literal(wanted, ARRAY(Text))).table_valued("name").render_derived()
        # ``->``: SQLAlchemy would write ``fields[name]``, a slower subscript here
        elements = func.jsonb_array_elements_text(self._table.c.fields.op("->")(facet.c.name))
        values = elements.table_valued("value").render_derived().lateral()
        counts = (
            select(facet.c.name, values.c.value, func.count())
            .select_from(self._table.join(facet, true()).join(values, true()))
            .where(condition)
            .group_by(facet.c.name, values.c.value)
        )
        found: dict[str, list[tuple[str, int]]] = {name: [] for name in wanted}
        for name, value, count in connection.execute(counts):
            found[name].append((value, count))
        return {name: sorted_facet(found[name]) for name in names}

    def stamps(self, kind: str) -> dict[str, str]:
        columns = self._table.c
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(columns.key, columns.stamp).where(columns.kind == kind)
            )
            return dict(rows.tuples().all())

    def close(self) -> None:
        self._engine.dispose()
