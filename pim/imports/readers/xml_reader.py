"""Streaming XML reader: hardened lxml ``iterparse``, one row per record element.

Any document with a ``<!DOCTYPE …>`` is refused, plain or not: supplier feeds do not need
one, and refusing all of them leaves no room for entity tricks (billion laughs, external
entities reading local files, parameter entities, DTDs fetched over the network). The
prolog is checked on the raw bytes before parsing, and again from the parser's document
info at the root element, before any row.

A record is every element whose local name is ``record_tag`` (namespaces are ignored).
Its cells are keyed by paths relative to the record: ``name``, ``price/amount``, ``@id``,
``price/@currency``; a path met more than once in a record gives a list of texts. Each
record is cleared once read, so memory stays flat however long the file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from flask_babel import gettext as _
from lxml import etree

from .base import CellValue, ReaderOptions, ReadError, Row, TableReader, cell_problems

#: Bytes read to find a DOCTYPE in the prolog before parsing.
PROLOG_SCAN_BYTES = 64 * 1024
#: What may come before the root element: blanks, the XML declaration, PIs and comments.
PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
DTD_REASON = (
    "declares a DTD (<!DOCTYPE …>); DTDs and entity declarations are not accepted. "
    "Remove the <!DOCTYPE …> declaration and upload the file again"
)
#: Hardened ``iterparse`` settings: no entity expansion, no DTD, no network, size limits on.
PARSER_OPTIONS = {
    "events": ("start", "end"),
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}


class XmlReader(TableReader):
    """Rows of the record elements of an XML file; see :func:`open_table`."""

    def __init__(self, path, options: ReaderOptions, display_name: str):
        super().__init__(path, options, display_name)
        if not options.record_tag:
            reason = _(
                "cannot be read: no record element is set in the import profile (the name of "
                "the element that holds one product, for example product)"
            )
            raise ReadError(display_name, reason)
        self.record_tag = options.record_tag
        self._size = self.path.stat().st_size
        if not self._size:
            raise ReadError(
                display_name,
                _("is empty; it should hold <%(record_tag)s> elements", record_tag=self.record_tag),
            )
        self._rows_read = 0
        self._column_set: set[str] = set()
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._check_prolog()
            self._events = etree.iterparse(self._file, **PARSER_OPTIONS)
            self._first_event = self._next_event()
            self._check_doctype(self._first_event)
        except BaseException:
            self._file.close()
            raise

    def _check_prolog(self) -> None:
        head = _decode_head(self._file.read(PROLOG_SCAN_BYTES))
        self._file.seek(0)
        position = 0
        while match := PROLOG_ITEM.match(head, position):
            position = match.end()
        if head.startswith("<!DOCTYPE", position):
            raise ReadError(self.display_name, DTD_REASON, line=head.count("\n", 0, position) + 1)

    def _check_doctype(self, event) -> None:
        if event is not None and event[1].getroottree().docinfo.doctype:
            raise ReadError(self.display_name, DTD_REASON)

    def _next_event(self):
        try:
            return next(self._events, None)
        except etree.XMLSyntaxError as error:
            raise self._syntax_error(error) from None

    def _syntax_error(self, error: etree.XMLSyntaxError) -> ReadError:
        # This parser's own log holds its first fatal error; the exception's message can be a
        # later consequence ("no element found", line 0), and its log is shared by the thread
        # (it may hold other files' errors: never show those).
        fatals = self._events.error_log.filter_from_fatals()
        if fatals:
            message, line, column = fatals[0].message, fatals[0].line, fatals[0].column
        else:
            message, (line, column) = error.msg or str(error), error.position
        message = re.sub(r", line \d+, column \d+$", "", message.strip())
        where = f" at character {column}" if column else ""
        reason = _(
            "is not well-formed XML%(where)s: %(message)s. Fix the file and upload it again",
            where=where,
            message=message,
        )
        return ReadError(self.display_name, reason, line=line or None)

    def _read_rows(self) -> Iterator[Row]:
        record = None
        event = self._first_event
        while event is not None:
            kind, element = event
            if kind == "start":
                if record is None and _local_name(element.tag) == self.record_tag:
                    record = element
            elif element is record:
                yield self._make_row(record)
                record = None
                _release(element)
            elif record is None:
                _release(element)  # outside any record: nothing to keep
            event = self._next_event()
        if not self._rows_read:
            reason = _(
                "has no records: no <%(record_tag)s> elements found. Check the record element "
                "set in the import profile",
                record_tag=self.record_tag,
            )
            raise ReadError(self.display_name, reason)

    def _make_row(self, record) -> Row:
        self._rows_read += 1
        cells: dict[str, CellValue] = {}
        _collect(record, "", cells)
        for path in cells:
            if path not in self._column_set:
                self._column_set.add(path)
                self.columns.append(path)
        problems = cell_problems(cells, self.options.max_cell_chars)
        return Row(record.sourceline or 0, cells, tuple(problems))

    def _position(self) -> float:
        return self._file.tell() / max(self._size, 1)

    def _release(self) -> None:
        self._file.close()


def _collect(element, prefix: str, cells: dict[str, CellValue]) -> None:
    """Add the attributes and descendants of ``element`` to ``cells``, keyed by path."""
    for name, value in element.attrib.items():
        _add(cells, f"{prefix}@{_local_name(name)}", value)
    for child in element:
        if not isinstance(child.tag, str):
            continue  # entity references and the like: never resolved, never read
        path = prefix + _local_name(child.tag)
        has_children = any(isinstance(node.tag, str) for node in child)
        text = _clean_text(child.text)
        if not has_children or text:
            _add(cells, path, text)
        _collect(child, path + "/", cells)


def _add(cells: dict[str, CellValue], path: str, value: str) -> None:
    if path not in cells:
        cells[path] = value
    elif isinstance(cells[path], list):
        cells[path].append(value)
    else:
        cells[path] = [cells[path], value]


def _clean_text(text: str | None) -> str:
    """Drop indentation (blanks containing a line break) around text; keep the rest as given."""
    if not text:
        return ""
    stripped = text.lstrip()
    if _has_line_break(text[: len(text) - len(stripped)]):
        text = stripped
    stripped = text.rstrip()
    if _has_line_break(text[len(stripped) :]):
        text = stripped
    return text


def _has_line_break(blank: str) -> bool:
    return "\n" in blank or "\r" in blank


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _release(element) -> None:
    """Free a finished element and the siblings before it (iterparse keeps them otherwise)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _decode_head(head: bytes) -> str:
    """The first bytes as text, enough to read the prolog (ASCII-compatible or UTF-16/32)."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF8, "utf-8"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    return head.decode("latin-1")
