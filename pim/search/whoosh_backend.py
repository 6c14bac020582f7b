"""Search in an on-disk Whoosh index: the embedded default (``whoosh:///abs/path``).

Whoosh stores the documents; a query is evaluated on bitsets of document numbers (Python
ints: ``&``, ``|``, ``~`` and ``bit_count()`` run at C speed), because Whoosh's own
collectors score, sort and facet one document at a time in Python, far too slow for a
page with facets over 100,000 products.

* **Schema** — ``key`` (unique, stored, column), ``kind``, ``stamp`` (stored), ``text``
  (the tokens, verbatim) and three families of dynamic fields, one per document field
  name, hex-encoded so that any string works: ``t_<hex>`` keyword values (indexed
  verbatim, a glob field), ``n_<hex>`` numbers and ``s_<hex>`` folded sort strings
  (columns, added to the schema when first used).
* **Caches** — a :class:`_Segment` keeps what queries read from one segment (bitsets of
  terms and typed prefixes, columns), deleted documents included, so it stays valid until
  the segment is merged away; a :class:`_View` combines the segments of one index
  generation (their bitsets shifted by their offsets) with its live documents and sort
  orders. A write (by any process) makes a new generation: the next search opens a new
  view, reusing the unchanged segments.
* **Query** — ``live & word₁ & … & (value₁ | value₂) & ~excluded & range``; the total is
  its ``bit_count()``, a facet value's count ``(value & matches).bit_count()``, and the
  page the first matches met walking the cached sort order.
* **Writes** — one writer per call, committed before returning; a thread lock orders this
  process's writers and Whoosh's lock file, retried for :data:`LOCK_TIMEOUT` seconds, the
  other processes'.
"""

from __future__ import annotations

import math
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import reduce
from itertools import chain, compress, islice
from operator import or_
from pathlib import Path

from whoosh import columns, fields, formats, index, writing
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filestore import FileStorage

from pim.search.base import Document, Query, Results, fold
from pim.search.memory import (
    check_ranges,
    index_tokens,
    page_bounds,
    query_words,
    sorted_facet,
)

#: Seconds a write waits for another process's writer before giving up with ``LockError``.
LOCK_TIMEOUT = 10.0

#: Attempts at opening the index while other processes commit (50 ms apart).
OPEN_ATTEMPTS = 20

#: Bitsets (a term's, a typed prefix's… documents) that a segment and a view keep, the
#: least recently used dropped first: a segment's take at most its size / 8 bytes each, a
#: view's the index size / 8 (4096 of 100,000 documents: 50 MB).
CACHED_BITSETS = 4096

_MISSING = math.nan
_SORT_PREFIX = b"="  # marks a present sort string, so that "" is not "missing"
_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_FROM_DIGITS = bytes.maketrans(b"01", b"\x00\x01")


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


def _docnums(values: Iterable[int]) -> array:
    """Document numbers, compactly (4 bytes each instead of a list's 36)."""
    return array("I", values)


def _bitset(docnums: Iterable[int], size: int) -> int:
    """``docnums`` (each below ``size``) as the bits of an int: set algebra at C speed."""
    flags = bytearray(size)
    for docnum in docnums:
        flags[docnum] = 1
    return int(flags.translate(_TO_DIGITS)[::-1], 2) if size else 0


def _flags(bits: int, size: int) -> bytes:
    """One byte per document number below ``size``: 1 where ``bits`` has it, else 0."""
    return format(bits, f"0{size}b")[::-1].encode().translate(_FROM_DIGITS)


def _in_order(bits: int, order: array, size: int) -> Iterator[int]:
    """The document numbers of ``bits`` in the order of ``order``."""
    return compress(order, map(_flags(bits, size).__getitem__, order))


def _score_groups(hits: list[int], matches: int) -> Iterator[int]:
    """``matches`` split by how many of ``hits`` each has: all of them first, none last.

    The count is kept in binary, one bitset per bit (bit-sliced), so that it takes a few
    operations per word, whatever the number of documents.
    """
    planes: list[int] = []
    for hit in hits:
        carry = hit & matches
        for bit, plane in enumerate(planes):
            planes[bit], carry = plane ^ carry, plane & carry
        if carry:
            planes.append(carry)
    for score in range(min(len(hits), (1 << len(planes)) - 1), -1, -1):
        group = matches
        for bit, plane in enumerate(planes):
            group &= plane if score >> bit & 1 else ~plane
        yield group


class _Bitsets(OrderedDict):
    """Bitsets by key, the least recently used dropped beyond :data:`CACHED_BITSETS`."""

    def get_or_build(self, key: tuple, build: Callable[[], int]) -> int:
        if key in self:
            self.move_to_end(key)
        else:
            self[key] = build()
            if len(self) > CACHED_BITSETS:
                self.popitem(last=False)
        return self[key]


class _Segment:
    """What queries read from one segment (cached): bitsets of its own document numbers,
    columns, and sorted numbers in index-wide document numbers.

    All include the segment's deleted documents (the view removes them), so they stay
    right while the segment lives at the same offset; ``leaf`` is the segment's reader in
    the current view.
    """

    def __init__(self, leaf, offset: int) -> None:
        self.leaf = leaf
        self.id = leaf.segment().segment_id()
        self.offset = offset
        self.size = leaf.doc_count_all()
        self._cache: dict[tuple, object] = {}
        self._bitsets = _Bitsets()

    def _cached(self, key: tuple, build: Callable):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def live(self) -> int:
        """The documents not deleted (read again for each view: deletions change)."""
        return (1 << self.size) - 1 & ~_bitset(self.leaf.deleted_docs_set, self.size)

    def _read(self, field: str, texts: Iterable[bytes]) -> int:
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
        return _bitset(ids, self.size)

    def bits(self, field: str, text: str, prefix: bool = False) -> int:
        """The documents with ``text`` in ``field`` (or a term starting with it)."""

        def build() -> int:
            if prefix:
                return self._read(field, list(self.leaf.expand_prefix(field, text)))
            return self._read(field, [text.encode()])

        return self._bitsets.get_or_build((field, text, prefix), build)

    def lexicon(self, field: str) -> list[str]:
        return self._cached(
            ("lexicon", field), lambda: [t.decode() for t in self.leaf.lexicon(field)]
        )

    def column(self, field: str, default) -> list:
        """The column's value for each document of the segment (``default`` if none)."""
        if field not in self.leaf.schema or not self.leaf.has_column(field):
            return [default] * self.size
        return list(self.leaf.column_reader(field, translate=False))

    def numbers(self, field: str) -> array:
        """The number of each document of the segment (NaN if none)."""
        return self._cached(("numbers", field), lambda: array("d", self.column(field, _MISSING)))

    def strings(self, field: str) -> list[bytes]:
        """The sort string of each document of the segment (``b""`` if none)."""
        return self._cached(("strings", field), lambda: self.column(field, b""))

    def keys(self) -> list[str]:
        return self._cached(("keys",), lambda: [k.decode() for k in self.column("key", b"")])

    def key_order(self) -> array:
        """The segment's document numbers, index-wide, sorted by key."""
        keys = self.keys()
        return self._cached(
            ("key_order",),
            lambda: _docnums(
                map(self.offset.__add__, sorted(range(self.size), key=keys.__getitem__))
            ),
        )

    def ranked(self, field: str) -> tuple[array, array]:
        """The numbers present, ascending, and the (index-wide) documents they belong to."""

        def build() -> tuple[array, array]:
            numbers = self.numbers(field)
            present = (d for d in range(self.size) if numbers[d] == numbers[d])
            ranked = sorted(present, key=numbers.__getitem__)
            values = array("d", map(numbers.__getitem__, ranked))
            return values, _docnums(map(self.offset.__add__, ranked))

        return self._cached(("ranked", field), build)


class _View:
    """One index generation: its segments, live documents and sort orders (lazily)."""

    def __init__(self, reader, generation: int, previous: _View | None) -> None:
        self.reader = reader
        self.generation = generation
        self.size = reader.doc_count_all()
        known = {(s.id, s.offset): s for s in previous.segments} if previous else {}
        self.segments: list[_Segment] = []
        for leaf, offset in reader.leaf_readers() if self.size else ():
            segment = known.get((leaf.segment().segment_id(), offset)) or _Segment(leaf, offset)
            segment.leaf = leaf
            self.segments.append(segment)
        self.live = reduce(or_, (s.live() << s.offset for s in self.segments), 0)
        self._cache: dict[tuple, object] = {}
        self._bitsets = _Bitsets()

    def _cached(self, key: tuple, build: Callable):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def bits(self, field: str, text: str, prefix: bool = False) -> int:
        """The documents with ``text`` in ``field`` (or a term starting with it)."""
        return self._bitsets.get_or_build(
            (field, text, prefix),
            lambda: reduce(
                or_, (s.bits(field, text, prefix) << s.offset for s in self.segments), 0
            ),
        )

    def facet(self, name: str) -> list[tuple[str, int]]:
        """Every value of field ``name`` with its documents."""
        field = _name("t", name)

        def build() -> list[tuple[str, int]]:
            values = sorted(set(chain.from_iterable(s.lexicon(field) for s in self.segments)))
            return [(value, self.bits(field, value)) for value in values]

        return self._cached(("facet", field), build)

    def numbers(self, name: str) -> array:
        """Number ``name`` of every document of the index (NaN if none)."""
        field = _name("n", name)

        def build() -> array:
            numbers = array("d")
            for segment in self.segments:
                numbers.extend(segment.numbers(field))
            return numbers

        return self._cached(("numbers", field), build)

    def strings(self, name: str) -> list[bytes]:
        """Sort string ``name`` of every document of the index (``b""`` if none)."""
        field = _name("s", name)
        return self._cached(
            ("strings", field),
            lambda: list(chain.from_iterable(s.strings(field) for s in self.segments)),
        )

    @property
    def keys(self) -> list[str]:
        return self._cached(
            ("keys",), lambda: list(chain.from_iterable(s.keys() for s in self.segments))
        )

    @property
    def key_order(self) -> array:
        """Every document number by key (sorting the segments' sorted runs is a merge)."""

        def build() -> array:
            runs = chain.from_iterable(s.key_order() for s in self.segments)
            return _docnums(sorted(runs, key=self.keys.__getitem__))

        return self._cached(("key_order",), build)

    def range(self, name: str, op: str, value: float) -> int:
        """The documents whose number ``name`` compares to ``value`` with ``op``."""
        found = []
        for segment in self.segments:
            numbers, docnums = segment.ranked(_name("n", name))
            low, high = bisect_left(numbers, value), bisect_right(numbers, value)
            start, stop = {
                "<": (0, low),
                "<=": (0, high),
                ">": (high, len(numbers)),
                ">=": (low, len(numbers)),
                "=": (low, high),
            }[op]
            found.append(docnums[start:stop])
        return _bitset(chain.from_iterable(found), self.size)

    def order(self, name: str, descending: bool) -> array:
        """Every document number sorted by ``name`` (as ``memory`` does), missing last."""

        def build() -> array:
            if name == "key":
                return self.key_order[::-1] if descending else self.key_order
            numbers, strings = self.numbers(name), self.strings(name)
            numbered = [d for d in self.key_order if numbers[d] == numbers[d]]
            rest = [d for d in self.key_order if numbers[d] != numbers[d]]
            named = [d for d in rest if strings[d]]
            return _docnums(
                chain(
                    sorted(numbered, key=numbers.__getitem__, reverse=descending),
                    sorted(named, key=strings.__getitem__, reverse=descending),
                    (d for d in rest if not strings[d]),
                )
            )

        return self._cached(("order", name, descending), build)


def _open_index(folder: Path) -> index.FileIndex:
    """Open the index in ``folder``, creating it (and the folder) if missing.

    Processes starting together create it one at a time; opening is retried when another
    process's commit removes the table of contents being read (Whoosh's ``reader()``
    retries that, its ``open_dir()`` does not).
    """
    folder.mkdir(parents=True, exist_ok=True)
    creating = FileStorage(str(folder)).lock("CREATE")
    creating.acquire(blocking=True)
    attempts = 1
    try:
        while True:
            try:
                if index.exists_in(str(folder)):
                    return index.open_dir(str(folder))
                return index.create_in(str(folder), _schema())
            except FileNotFoundError:
                if attempts == OPEN_ATTEMPTS:
                    raise
                attempts += 1
                time.sleep(0.05)
    finally:
        creating.release()


#: Writes of at most this many documents commit without merging segments (a save in the
#: editor must not wait for a merge); :meth:`WhooshBackend.maintain` merges later.
SMALL_WRITE = 200


def _merge_for(count: int) -> dict:
    return {"mergetype": writing.NO_MERGE} if count <= SMALL_WRITE else {}


class WhooshBackend:
    """A Whoosh index in folder ``path`` (created when missing)."""

    def __init__(self, path: str | Path) -> None:
        self._index = _open_index(Path(path))
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
        with self._writer(**_merge_for(len(unique))) as writer:
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
        with self._writer(**_merge_for(len(keys))) as writer:
            for key in set(keys):
                writer.delete_by_term("key", key)

    def maintain(self) -> None:
        """Merge the small segments that quick writes leave (a periodic background task):
        saves from the editor do not merge, so they never wait for a merge."""
        with self._writer(mergetype=writing.MERGE_SMALL):
            pass

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
        check_ranges(query)
        with self._read_lock:
            view = self._current()
            words = query_words(query)
            matches = self._matches(view, query, words)
            start, stop = page_bounds(query)
            page = islice(self._ordered(view, query, words, matches), start, stop)
            keys = view.keys
            return Results(
                keys=[keys[d] for d in page],
                total=matches.bit_count(),
                facets={name: self._facet(view, name, matches) for name in query.facets},
            )

    @staticmethod
    def _matches(view: _View, query: Query, words: list[str]) -> int:
        matches = view.live
        for word in words:
            matches &= view.bits("text", word, prefix=True)
        if query.kinds:
            matches &= reduce(or_, (view.bits("kind", kind) for kind in query.kinds))
        wanted: dict[str, int] = {}
        for term in query.terms:
            found = view.bits(_name("t", term.field), term.value)
            if term.negate:
                matches &= ~found
            else:
                wanted[term.field] = wanted.get(term.field, 0) | found
        for found in wanted.values():
            matches &= found
        for bound in query.ranges:
            matches &= view.range(bound.field, bound.op, bound.value)
        return matches

    @staticmethod
    def _ordered(view: _View, query: Query, words: list[str], matches: int) -> Iterator[int]:
        if query.sort != "relevance":
            return _in_order(matches, view.order(query.sort, query.descending), view.size)
        hits = [view.bits("text", word) for word in words]
        return chain.from_iterable(
            _in_order(group, view.key_order, view.size)
            for group in _score_groups(hits, matches)
            if group
        )

    @staticmethod
    def _facet(view: _View, name: str, matches: int) -> list[tuple[str, int]]:
        counts = ((value, (bits & matches).bit_count()) for value, bits in view.facet(name))
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
