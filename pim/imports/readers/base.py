"""Shared types of the import readers: options, rows, problems, errors and the reader base.

A reader turns one file into :class:`Row` objects, one per record, each mapping a column
name to the raw text of the cell. Two kinds of trouble are told apart:

* a :class:`ReadError` refuses the whole file (wrong encoding, zip bomb, DTD, duplicate
  header names…); nothing of the file should be imported;
* a :class:`RowProblem` attached to a row (ragged row, NUL byte, oversized cell…); the caller
  rejects that row and goes on with the next one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

#: Offending values are cut to this many characters in problem reports.
PROBLEM_VALUE_CHARS = 200

#: Type of one cell: raw text, or the texts of an element repeated in an XML record.
CellValue = str | list[str]


class ReadError(Exception):
    """The whole file is refused: nothing of it should be imported.

    ``str(error)`` is a full sentence naming the file (its display name), and the line and
    column when they are known, e.g. ``The file "products.csv" (line 1) has no name for
    column 3. Every column needs a name in the header line.``
    """

    def __init__(
        self, file: str, reason: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        self.file = file
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The sentence shown to the person who sent the file."""
        where = []
        if self.line is not None:
            where.append(_("line %(line)s", line=self.line))
        if self.column is not None:
            where.append(_('column "%(column)s"', column=self.column))
        if where:
            sentence = _(
                'The file "%(file)s" (%(where)s) %(reason)s',
                file=self.file,
                where=", ".join(where),
                reason=self.reason,
            )
        else:
            sentence = _('The file "%(file)s" %(reason)s', file=self.file, reason=self.reason)
        return sentence if sentence.endswith((".", "?", "!")) else sentence + "."

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Keyword-only fields: the default exception pickling would lose them (job queues
        # pickle exceptions).
        return _rebuild_read_error, (self.file, self.reason, self.line, self.column)


def _rebuild_read_error(file, reason, line, column) -> ReadError:
    return ReadError(file, reason, line=line, column=column)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A reading problem of one row; the caller rejects the row."""

    column: str | None  # header name, or None for a whole-row problem
    value: str  # offending raw value, cut to PROBLEM_VALUE_CHARS for reports
    reason: str


@dataclass(frozen=True, slots=True)
class Row:
    """One record of the file.

    ``line`` is 1-based: the CSV physical line where the record starts, the XLSX row
    number, or the source line of the XML record element.
    """

    line: int
    cells: dict[str, CellValue]
    problems: tuple[RowProblem, ...] = ()


@dataclass
class ReaderOptions:
    """How to read a file; the defaults detect what can be detected."""

    format: str | None = None  # "csv" | "xlsx" | "xml"; None → detect_format(path)
    encoding: str | None = None  # CSV: None = BOM or strict UTF-8; else the declared codec
    delimiter: str | None = None  # CSV: None = sniffed from the header line (, ; TAB |)
    quotechar: str = '"'
    #: CSV: undo the formula escaping of exports (``'=…`` reads as ``=…``, ``''x`` as
    #: ``'x``; see :mod:`pim.spreadsheet`)
    unescape_formulas: bool = True
    sheet: str | None = None  # XLSX: sheet name; default the first worksheet
    record_tag: str | None = None  # XML: local name of the element holding one record
    max_cell_chars: int = 4 * 1024 * 1024
    max_uncompressed_bytes: int = 512 * 1024 * 1024  # XLSX zip-bomb guard (sum of entries)
    max_compression_ratio: int = 200  # XLSX zip-bomb guard (per entry, entries > 1 MiB)


def shorten(value: str) -> str:
    """Cut ``value`` for a problem report, and make NUL bytes visible (databases refuse them)."""
    if len(value) > PROBLEM_VALUE_CHARS:
        value = value[:PROBLEM_VALUE_CHARS] + "…"
    return value.replace("\x00", "\\x00")


def cell_problems(cells: dict[str, CellValue], max_chars: int) -> list[RowProblem]:
    """Problems common to every format: NUL bytes and cells longer than ``max_chars``."""
    problems = []
    for column, value in cells.items():
        for text in value if isinstance(value, list) else (value,):
            if "\x00" in text:
                problems.append(RowProblem(column, shorten(text), _("contains a NUL byte")))
            if len(text) > max_chars:
                reason = _(
                    "is %(count)s characters long, more than the limit of %(max_chars)s",
                    count=len(text),
                    max_chars=max_chars,
                )
                problems.append(RowProblem(column, shorten(text), reason))
    return problems


def check_header(names: list[str], file: str, line: int, label=None) -> None:
    """Refuse empty or repeated column names, naming them.

    ``label(index)`` names the position of a column for messages (default: "column 3").
    """
    label = label or (lambda index: f"column {index + 1}")
    empty = [label(index) for index, name in enumerate(names) if not name]
    if empty:
        reason = _(
            "has no name for %(empty)s. Every column needs a name in the header",
            empty=", ".join(empty),
        )
        raise ReadError(file, reason, line=line)
    seen: dict[str, list[str]] = {}
    for index, name in enumerate(names):
        seen.setdefault(name, []).append(label(index))
    repeated = [
        f'"{name}" ({" and ".join(where)})' for name, where in seen.items() if len(where) > 1
    ]
    if repeated:
        reason = _(
            "repeats column names: %(repeated)s. Every column needs a unique name",
            repeated=", ".join(repeated),
        )
        raise ReadError(file, reason, line=line)


class TableReader:
    """Base of the readers: an iterator of :class:`Row` and a context manager.

    Subclasses check the file in ``__init__`` (raising :class:`ReadError` before any row),
    then implement :meth:`_read_rows`, :meth:`_position` and :meth:`_release`.
    """

    def __init__(self, path: str | os.PathLike, options: ReaderOptions, display_name: str):
        self.path = Path(path)
        self.options = options
        self.display_name = display_name
        self.columns: list[str] = []
        self._rows: Iterator[Row] | None = None
        self._closed = False
        self._finished = False

    def __iter__(self) -> Iterator[Row]:
        return self

    def __next__(self) -> Row:
        if self._closed:
            raise StopIteration
        if self._rows is None:
            self._rows = self._read_rows()
        try:
            return next(self._rows)
        except StopIteration:
            self._finished = True
            self.close()
            raise
        except BaseException:
            self.close()
            raise

    def progress(self) -> float:
        """Fraction of the file consumed so far, from 0.0 to 1.0 (for progress bars)."""
        if self._finished:
            return 1.0
        if self._closed:
            return 0.0
        return min(max(self._position(), 0.0), 1.0)

    def close(self) -> None:
        """Release the file; further iteration stops. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._rows is not None and hasattr(self._rows, "close"):
            self._rows.close()
        self._release()

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _read_rows(self) -> Iterator[Row]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _position(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _release(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
