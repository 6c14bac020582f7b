"""Search in an on-disk Whoosh index: the embedded default (``whoosh:///abs/path``).

Whoosh stores the documents; a query is evaluated with Python sets of document numbers,
because Whoosh's own collectors score, sort and facet one document at a time in Python,
far too slow for a page with facets over 100,000 products.

* **Schema** — ``key`` (unique, stored, column), ``kind``, ``stamp`` (stored), ``text``
  (the tokens, verbatim) and three families of dynamic fields, one field per document
  field name, the name hex-encoded so that any string works: ``t_<hex>`` keyword values
  (indexed verbatim, a glob field), ``n_<hex>`` numbers and ``s_<hex>`` folded sort
  strings (columns, added to the schema when first used).
* **Caches** — a :class:`_Segment` keeps what queries read from one segment (posting sets,
  columns) in index-wide document numbers, deleted documents included, so it stays valid
  until the segment is merged away; a :class:`_View` combines the segments of one index
  generation with its live documents and sort orders. A write (by any process) makes a new
  generation: the next search opens a new view, reusing the unchanged segments.
* **Query** — intersections, unions and differences of those sets; the page is the first
  matches met walking the cached sort order; facets count ``len(values & matches)``.
* **Writes** — one writer per call, committed before returning; a thread lock orders this
  process's writers and Whoosh's lock file, retried for :data:`LOCK_TIMEOUT` seconds, the
  other processes'.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

from whoosh import columns, fields, formats, index, writing
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import W3LeafMatcher

from pim.search.base import OPERATORS, Document, Query, Results, fold
from pim.search.memory import index_tokens, page_bounds, query_words, sorted_facet

#: Seconds a write waits for another process's writer before giving up with ``LockError``.
LOCK_TIMEOUT = 10.0

#: Document numbers the word sets of a segment may hold before the oldest are dropped
#: (about 70 bytes each): users type ever new prefixes, each can match many documents.
WORD_CACHE_BUDGET = 2_000_000

_MISSING = math.nan
_SORT_PREFIX = b"="  # marks a present sort string, so that "" is not "missing"


class ExactValues(Tokenizer):
    """One token per element of a list of strings, verbatim (no splitting, no folding).

    Whoosh pickles it into the index's schema: keep its module and name stable.
    """

    def __call__(self, value, mode="", **kwargs) -> Iterator[Token]:
        token = Token(mode=mode, **kwargs)
        for text in value:
            token.text = text
            token.boost = 1.0
            token.stopped = False
            yield token


def _exact() -> fields.FieldType:
    # scorable only for speed: without a length column, Whoosh 2.7 looks for that column's
    # file on disk (a stat call) for every posting it writes
    return fields.FieldType(formats.Existence(), ExactValues(), scorable=True)


def _schema() -> fields.Schema:
    schema = fields.Schema(
        key=fields.ID(stored=True, unique=True, sortable=True),
        kind=fields.ID(),
        stamp=fields.STORED(),
        text=_exact(),
    )
    schema.add("t_*", _exact(), glob=True)
    return schema


def _column(field: str) -> fields.COLUMN:
    """The type of a number (``n_…``) or sort string (``s_…``) field.

    These are added to the schema by name when first used, not matched by a glob like
    ``t_*``: Whoosh 2.7 drops the columns of glob fields that are not indexed when it
    merges segments.
    """
    if field.startswith("n_"):
        return fields.COLUMN(columns.NumericColumn("d", default=_MISSING))
    return fields.COLUMN(columns.VarBytesColumn())


def _name(family: str, name: str) -> str:
    """The Whoosh field holding document field ``name`` in ``family`` (t, n or s)."""
    return f"{family}_{name.encode().hex()}"


def _whoosh_fields(document: Document) -> dict:
    values: dict = {
        "key": document.key,
        "kind": document.kind,
        "stamp": document.stamp,
        "text": index_tokens(document.tokens),
    }
    for name, terms in document.fields.items():
        values[_name("t", name)] = list(dict.fromkeys(terms))
    for name, number in document.numbers.items():
        values[_name("n", name)] = float(number)
    for name, text in document.sortable.items():
        values[_name("s", name)] = _SORT_PREFIX + fold(text).encode()
    return values


def _union(sets: list[frozenset[int]]) -> frozenset[int]:
    """One set of several (the set itself when there is one: no copy)."""
    return sets[0] if len(sets) == 1 else frozenset().union(*sets)


class _WordCache(OrderedDict):
    """Word → document set, least recently used dropped beyond :data:`WORD_CACHE_BUDGET`."""

    size = 0

    def get_or_build(self, word: str, build: Callable[[], frozenset[int]]) -> frozenset[int]:
        if word in self:
            self.move_to_end(word)
            return self[word]
        found = self[word] = build()
        self.size += len(found)
        while self.size > WORD_CACHE_BUDGET and len(self) > 1:
            self.size -= len(self.popitem(last=False)[1])
        return found


class _Segment:
    """What queries read from one segment, in index-wide document numbers (cached).

    Sets and columns include the segment's deleted documents (the view removes them), so
    they stay right while the segment lives at the same offset; ``leaf`` is the segment's
    reader in the current view.
    """

    def __init__(self, leaf, offset: int) -> None:
        self.leaf = leaf
        self.id = leaf.segment().segment_id()
        self.offset = offset
        self.size = leaf.doc_count_all()
        self._cache: dict[tuple, object] = {}
        self._words = _WordCache()

    def _cached(self, key: tuple, build: Callable):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def live(self) -> frozenset[int]:
        """The documents not deleted (read again for each view: deletions change)."""
        every = frozenset(range(self.offset, self.offset + self.size))
        return every.difference(map(self.offset.__add__, self.leaf.deleted_docs_set))

    def _read(self, field: str, texts: Iterable[bytes]) -> frozenset[int]:
        """The documents holding any of ``texts`` in ``field``, deleted ones included.

        Reads the postings block by block: the public ``Matcher.all_ids()`` takes a few
        Python calls per posting, ten times slower on long lists.
        """
        terms = self.leaf._terms  # the raw postings, not filtered by deletions
        fmt = self.leaf.schema[field].format
        ids: list[int] = []
        for text in texts:
            if (field, text) not in self.leaf:
                continue
            matcher = terms.matcher(field, text, fmt)
            if isinstance(matcher, W3LeafMatcher):
                while matcher.is_active():
                    matcher._read_ids()
                    ids.extend(matcher._ids)
                    matcher._next_block()
            else:  # a short list stored inline with the term
                ids.extend(matcher.all_ids())
        return frozenset(map(self.offset.__add__, ids))

    def postings(self, field: str, text: str) -> frozenset[int]:
        return self._cached(("postings", field, text), lambda: self._read(field, [text.encode()]))

    def prefix(self, word: str) -> frozenset[int]:
        return self._words.get_or_build(
            word, lambda: self._read("text", list(self.leaf.expand_prefix("text", word)))
        )

    def lexicon(self, field: str) -> list[str]:
        return self._cached(
            ("lexicon", field), lambda: [t.decode() for t in self.leaf.lexicon(field)]
        )

    def column(self, field: str, default) -> list:
        """The column's value for each document of the segment (``default`` if none)."""

        def build() -> list:
            if field not in self.leaf.schema or not self.leaf.has_column(field):
                return [default] * self.size
            return list(self.leaf.column_reader(field, translate=False))

        return self._cached(("column", field), build)

    def keys(self) -> list[str]:
        return self._cached(("keys",), lambda: [k.decode() for k in self.column("key", b"")])

    def key_order(self) -> list[int]:
        """The segment's document numbers sorted by key."""
        keys = self.keys()
        return self._cached(
            ("key_order",),
            lambda: list(map(self.offset.__add__, sorted(range(self.size), key=keys.__getitem__))),
        )

    def ranked(self, field: str) -> list[tuple[float, int]]:
        """``(number, document)`` for the documents with the number, ascending."""

        def build() -> list[tuple[float, int]]:
            numbers = self.column(field, _MISSING)
            return sorted((n, self.offset + d) for d, n in enumerate(numbers) if n == n)

        return self._cached(("ranked", field), build)


class _View:
    """One index generation: its segments, live documents and sort orders (lazily)."""

    def __init__(self, reader, generation: int, previous: _View | None) -> None:
        self.reader = reader
        self.generation = generation
        known = {(s.id, s.offset): s for s in previous.segments} if previous else {}
        self.segments: list[_Segment] = []
        if reader.doc_count_all():
            for leaf, offset in reader.leaf_readers():
                segment = known.get((leaf.segment().segment_id(), offset))
                if segment is None:
                    segment = _Segment(leaf, offset)
                segment.leaf = leaf
                self.segments.append(segment)
        self.live = _union([s.live() for s in self.segments] or [frozenset()])
        self._cache: dict[tuple, object] = {}

    def _cached(self, key: tuple, build: Callable):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def postings(self, field: str, value: str) -> frozenset[int]:
        return self._cached(
            ("postings", field, value),
            lambda: _union([s.postings(field, value) for s in self.segments]),
        )

    def prefix(self, word: str) -> frozenset[int]:
        return _union([s.prefix(word) for s in self.segments])

    def facet(self, name: str) -> list[tuple[str, frozenset[int]]]:
        """Every value of field ``name`` with its documents."""
        field = _name("t", name)

        def build() -> list[tuple[str, frozenset[int]]]:
            values = sorted(set(chain.from_iterable(s.lexicon(field) for s in self.segments)))
            return [(value, self.postings(field, value)) for value in values]

        return self._cached(("facet", field), build)

    def column(self, field: str, default) -> list:
        """The column's value for every document number of the index."""
        return self._cached(
            ("column", field),
            lambda: list(chain.from_iterable(s.column(field, default) for s in self.segments)),
        )

    @property
    def keys(self) -> list[str]:
        return self._cached(
            ("keys",), lambda: list(chain.from_iterable(s.keys() for s in self.segments))
        )

    @property
    def key_order(self) -> list[int]:
        """Every document number by key (sorting the segments' sorted runs is a merge)."""
        keys = self.keys
        return self._cached(
            ("key_order",),
            lambda: sorted(
                chain.from_iterable(s.key_order() for s in self.segments), key=keys.__getitem__
            ),  # fmt: skip
        )

    def range(self, name: str, op: str, value: float) -> frozenset[int]:
        """The documents whose number ``name`` compares to ``value`` with ``op``."""
        found = []
        for segment in self.segments:
            ranked = segment.ranked(_name("n", name))
            low = bisect_left(ranked, (value, -1))
            high = bisect_right(ranked, (value, math.inf))
            start, stop = {
                "<": (0, low),
                "<=": (0, high),
                ">": (high, len(ranked)),
                ">=": (low, len(ranked)),
                "=": (low, high),
            }[op]
            found.append(frozenset(map(itemgetter(1), ranked[start:stop])))
        return _union(found or [frozenset()])

    def order(self, name: str, descending: bool) -> list[int]:
        """Every document number sorted by ``name`` (as ``memory`` does), missing last."""

        def build() -> list[int]:
            if name == "key":
                return self.key_order[::-1] if descending else self.key_order
            numbers = self.column(_name("n", name), _MISSING)
            strings = self.column(_name("s", name), b"")
            numbered = [d for d in self.key_order if numbers[d] == numbers[d]]
            rest = [d for d in self.key_order if numbers[d] != numbers[d]]
            named = [d for d in rest if strings[d]]
            return (
                sorted(numbered, key=numbers.__getitem__, reverse=descending)
                + sorted(named, key=strings.__getitem__, reverse=descending)
                + [d for d in rest if not strings[d]]
            )

        return self._cached(("order", name, descending), build)


class WhooshBackend:
    """A Whoosh index in folder ``path`` (created when missing)."""

    def __init__(self, path: str | Path) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        if index.exists_in(str(folder)):
            self._index = index.open_dir(str(folder))
        else:
            self._index = index.create_in(str(folder), _schema())
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._view: _View | None = None

    # --- writes ----------------------------------------------------------------------------

    @contextmanager
    def _writer(self, **commit) -> Iterator[writing.SegmentWriter]:
        with self._write_lock:
            writer = self._index.writer(timeout=LOCK_TIMEOUT)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit(**commit)

    def update(self, documents: list[Document]) -> None:
        """Add or replace: ``update_document``'s delete is only done for keys indexed
        already (looking a new key up costs more than adding its document)."""
        unique = {document.key: document for document in documents}
        if not unique:
            return
        with self._writer() as writer:
            new_columns = {
                _name(family, name)
                for document in unique.values()
                for family, names in (("n", document.numbers), ("s", document.sortable))
                for name in names
            }
            for field in sorted(new_columns):
                if field not in writer.schema:
                    writer.add_field(field, _column(field))
            indexed = writer.searcher().reader()
            for key, document in unique.items():
                if ("key", key) in indexed:
                    writer.delete_by_term("key", key)
                writer.add_document(**_whoosh_fields(document))

    def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        with self._writer() as writer:
            for key in set(keys):
                writer.delete_by_term("key", key)

    def clear(self) -> None:
        with self._writer(mergetype=writing.CLEAR):
            pass

    # --- reads -----------------------------------------------------------------------------

    def _current(self) -> _View:
        """The view of the latest generation (a new one when a write made a new one).

        A fresh reader every time: whoosh-reloaded 2.7.5's ``reader(reuse=…)`` (and so
        ``Searcher.refresh()``) puts the old reader's segments back into the new one, which
        resurrects merged or cleared documents. The segments' caches are reused instead.
        """
        generation = self._index.latest_generation()
        view = self._view
        if view is None or view.generation != generation:
            self._view = _View(self._index.reader(), generation, view)
            if view is not None:
                view.reader.close()
        return self._view

    def search(self, query: Query) -> Results:
        for bound in query.ranges:
            if bound.op not in OPERATORS:
                raise ValueError(f"unknown range operator {bound.op!r}")
        with self._read_lock:
            view = self._current()
            words = query_words(query)
            matches = self._matches(view, query, words)
            start, stop = page_bounds(query)
            page = islice(self._ordered(view, query, words, matches), start, stop)
            keys = view.keys
            return Results(
                keys=[keys[d] for d in page],
                total=len(matches),
                facets={name: self._facet(view, name, matches) for name in query.facets},
            )

    @staticmethod
    def _matches(view: _View, query: Query, words: list[str]) -> frozenset[int]:
        required = [view.prefix(word) for word in words]
        if query.kinds:
            required.append(_union([view.postings("kind", k) for k in set(query.kinds)]))
        wanted: dict[str, list[str]] = defaultdict(list)
        unwanted: list[frozenset[int]] = []
        for term in query.terms:
            if term.negate:
                unwanted.append(view.postings(_name("t", term.field), term.value))
            else:
                wanted[term.field].append(term.value)
        for name, values in wanted.items():
            required.append(_union([view.postings(_name("t", name), v) for v in values]))
        required.extend(view.range(bound.field, bound.op, bound.value) for bound in query.ranges)
        required.sort(key=len)
        matches = view.live.intersection(*required)
        return matches.difference(*unwanted) if unwanted else matches

    @staticmethod
    def _ordered(view: _View, query: Query, words: list[str], matches: frozenset[int]):
        if query.sort != "relevance":
            return filter(matches.__contains__, view.order(query.sort, query.descending))
        exact = [view.postings("text", word) & matches for word in words]
        scores = Counter(chain.from_iterable(exact))
        groups: dict[int, set[int]] = defaultdict(set)
        for docnum, score in scores.items():
            groups[score].add(docnum)
        groups[0] = matches.difference(scores)
        return chain.from_iterable(
            filter(groups[score].__contains__, view.key_order)
            for score in sorted(groups, reverse=True)
            if groups[score]
        )

    @staticmethod
    def _facet(view: _View, name: str, matches: frozenset[int]) -> list[tuple[str, int]]:
        counts = ((value, len(ids & matches)) for value, ids in view.facet(name))
        return sorted_facet((value, count) for value, count in counts if count)

    def stamps(self, kind: str) -> dict[str, str]:
        prefix = f"{kind}:"
        with self._read_lock:
            view = self._current()
            found = {}
            for segment in view.segments:
                for stored in segment.leaf.all_stored_fields():
                    if stored["key"].startswith(prefix):
                        found[stored["key"]] = stored["stamp"]
            return found

    def close(self) -> None:
        with self._read_lock:
            if self._view is not None:
                self._view.reader.close()
                self._view = None
            self._index.close()
