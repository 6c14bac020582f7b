"""Streaming CSV reader: encoding pre-scan, delimiter sniffing, strict quoting, line numbers.

The file is read twice, both times chunk by chunk: a pre-scan decodes it whole with an
incremental decoder, so a file in the wrong encoding is refused before any row is
imported; then the stdlib :mod:`csv` module parses it from a text stream that hands it one
physical line at a time (``\\r\\n``, ``\\n`` and ``\\r`` all end a line). Memory stays
proportional to the longest record, never to the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from collections.abc import Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from pim.spreadsheet import unescape_formula

from .base import (
    ReaderOptions,
    ReadError,
    Row,
    RowProblem,
    TableReader,
    cell_problems,
    check_header,
    shorten,
)

#: Byte-order marks and the codec of the text after them (UTF-32 before UTF-16: same start).
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Candidate delimiters, in order of preference when two are equally frequent.
DELIMITERS = (",", ";", "\t", "|")
PRESCAN_CHUNK_BYTES = 64 * 1024
LINE_BREAK = re.compile(r"\r\n|\r|\n")
ENCODING_HINT = lazy_gettext(
    "If the file was saved in another encoding, declare it in the import profile, "
    'for example "cp1252" (Excel on Windows) or "latin-1"'
)

#: ``csv.field_size_limit`` is process-wide: readers set their limit and put the previous
#: one back around each record, under this lock, so concurrent imports never see each
#: other's limit and other users of :mod:`csv` find theirs unchanged.
_FIELD_LIMIT_LOCK = threading.Lock()


class CsvReader(TableReader):
    """Rows of a delimited text file; see :func:`pim.imports.readers.open_table`."""

    def __init__(self, path, options: ReaderOptions, display_name: str):
        super().__init__(path, options, display_name)
        self.encoding, bom_length = choose_encoding(path, options.encoding, display_name)
        head = prescan(path, self.encoding, bom_length, display_name, options.encoding)
        self.delimiter = options.delimiter or sniff_delimiter(head, options.quotechar)
        self._size = max(self.path.stat().st_size, 1)
        self._binary = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._binary.seek(bom_length)
            self._open_parser()
            self.columns = self._read_header()
        except BaseException:
            self._binary.close()
            raise

    def _open_parser(self) -> None:
        text = io.TextIOWrapper(self._binary, encoding=self.encoding, newline="")
        self._lines = LineSource(text, max(2 * self.options.max_cell_chars, 1 << 20))
        try:
            self._csv = csv.reader(
                self._lines,
                delimiter=self.delimiter,
                quotechar=self.options.quotechar,
                strict=True,
            )
        except TypeError as error:
            reason = _(
                "cannot be read with the delimiter and quote set in the import profile (%(error)s)",
                error=error,
            )
            raise ReadError(self.display_name, reason) from error

    def _read_header(self) -> list[str]:
        for line, fields, problems in self._records():
            if problems:
                reason = _(
                    "has an unreadable header line: it %(reason)s", reason=problems[0].reason
                )
                raise ReadError(self.display_name, reason, line=line)
            if _has_content(fields):
                names = [field.strip() for field in fields]
                self._check_header(names, line)
                return names
        raise ReadError(
            self.display_name, _("has no header line; the first line must name the columns")
        )

    def _check_header(self, names: list[str], line: int) -> None:
        if any("\x00" in name for name in names):
            reason = _(
                "has NUL bytes in its header line; it may be UTF-16 without a byte-order mark: "
                'declare the encoding "utf-16" in the import profile'
            )
            raise ReadError(self.display_name, reason, line=line)
        check_header(names, self.display_name, line)

    def _read_rows(self) -> Iterator[Row]:
        for line, fields, problems in self._records():
            if problems or _has_content(fields):  # else a blank line, or only delimiters
                yield self._make_row(line, fields, problems)

    def _make_row(self, line: int, fields: list[str], problems: list[RowProblem]) -> Row:
        if not problems and len(fields) != len(self.columns):
            reason = _(
                "has %(count)s cells but the header line has %(count2)s columns",
                count=len(fields),
                count2=len(self.columns),
            )
            problems.append(RowProblem(None, shorten(self.delimiter.join(fields)), reason))
        if self.options.unescape_formulas:
            fields = [unescape_formula(field) for field in fields]
        cells = dict(zip(self.columns, fields, strict=False))
        for name in self.columns[len(fields) :]:
            cells[name] = ""
        problems.extend(cell_problems(cells, self.options.max_cell_chars))
        return Row(line, cells, tuple(problems))

    def _records(self) -> Iterator[tuple[int, list[str], list[RowProblem]]]:
        """(first line, fields, problems) per record; blank lines give empty fields."""
        while True:
            start = self._csv.line_num + 1
            self._lines.start_record()
            problems = []
            try:
                fields = self._next_fields()
            except StopIteration:
                return
            except csv.Error as error:
                fields, problems = [], [self._parse_problem(error)]
            except UnicodeDecodeError as error:  # the file changed since the pre-scan
                reason = _("cannot be decoded (%(error)s)", error=error)
                raise ReadError(self.display_name, reason, line=start) from error
            if self._lines.long_line:
                problems.append(self._long_line_problem(self._lines.long_line))
            yield start, fields, problems

    def _next_fields(self) -> list[str]:
        with _FIELD_LIMIT_LOCK:
            previous = csv.field_size_limit(self.options.max_cell_chars)
            try:
                return next(self._csv)
            finally:
                csv.field_size_limit(previous)

    def _parse_problem(self, error: csv.Error) -> RowProblem:
        message = str(error)
        if "field larger than field limit" in message:
            reason = _(
                "has a cell longer than the limit of %(max_cell_chars)s characters (or a quote "
                '(") that is never closed)',
                max_cell_chars=self.options.max_cell_chars,
            )
        elif "unexpected end of data" in message:
            reason = _('has a quote (") that is never closed before the end of the file')
        else:
            reason = _("has badly placed quotes (%(message)s)", message=message)
        return RowProblem(None, "", reason)

    def _long_line_problem(self, line: int) -> RowProblem:
        reason = _(
            "line %(line)s is longer than %(cap)s characters; the rest of it was skipped",
            line=line,
            cap=self._lines.cap,
        )
        return RowProblem(None, "", reason)

    def _position(self) -> float:
        return self._binary.tell() / self._size

    def _release(self) -> None:
        self._binary.close()


def _has_content(fields: list[str]) -> bool:
    return any(field.strip() for field in fields)


class LineSource:
    """Physical lines for :func:`csv.reader`, each cut at ``cap`` characters.

    A longer line is cut and the rest of it skipped, so one endless line cannot exhaust
    memory; ``long_line`` tells the reader which line of the current record it was.
    """

    def __init__(self, text: io.TextIOBase, cap: int) -> None:
        self._text = text
        self.cap = cap
        self.number = 0
        self.long_line: int | None = None

    def start_record(self) -> None:
        self.long_line = None

    def __iter__(self) -> LineSource:
        return self

    def __next__(self) -> str:
        line = self._text.readline(self.cap)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) >= self.cap and not line.endswith(("\n", "\r")):
            self.long_line = self.long_line or self.number
            self._skip_rest_of_line()
        return line

    def _skip_rest_of_line(self) -> None:
        while (rest := self._text.readline(self.cap)) and not rest.endswith(("\n", "\r")):
            pass


def choose_encoding(path, declared: str | None, display_name: str) -> tuple[str, int]:
    """The codec to decode ``path`` with, and the length of its byte-order mark.

    A byte-order mark wins over everything (it cannot be mistaken); otherwise the declared
    encoding, otherwise UTF-8.
    """
    with open(path, "rb") as file:
        start = file.read(4)
    for bom, codec in BOMS:
        if start.startswith(bom):
            return codec, len(bom)
    if declared is None:
        return "utf-8", 0
    try:
        return codecs.lookup(declared).name, 0
    except LookupError:
        reason = _(
            'declares an unknown encoding "%(declared)s" in the import profile', declared=declared
        )
        raise ReadError(display_name, reason) from None


def prescan(path, encoding: str, start: int, display_name: str, declared: str | None) -> str:
    """Decode the whole file once, in chunks; return its first chunk of text.

    Raises :class:`ReadError` naming the line and byte offset of the first byte that is not
    valid in ``encoding``.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = LineCounter()
    head = None
    with open(path, "rb") as file:
        file.seek(start)
        offset = start
        while True:
            chunk = file.read(PRESCAN_CHUNK_BYTES)
            pending = decoder.getstate()[0]  # bytes of a character cut by the last chunk
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                lines.feed((pending + chunk)[: error.start].decode(encoding, errors="replace"))
                position = offset - len(pending) + error.start
                reason = _decode_reason(error, position, encoding, declared)
                raise ReadError(display_name, reason, line=lines.line) from None
            lines.feed(text)
            head = text if head is None else head
            if not chunk:
                return head
            offset += len(chunk)


def _decode_reason(error: UnicodeDecodeError, position: int, encoding, declared) -> str:
    bad = " ".join(f"0x{byte:02X}" for byte in error.object[error.start : error.end])
    if declared is None and encoding == "utf-8":
        label, hint = "UTF-8", ENCODING_HINT
    else:
        label = f'in the encoding "{declared or encoding}"'
        hint = _("Check the encoding declared in the import profile")
    return _(
        "is not valid %(label)s: the byte %(bad)s at byte offset %(position)s cannot be decoded. "
        "%(hint)s",
        label=label,
        bad=bad,
        position=position,
        hint=hint,
    )


class LineCounter:
    """Counts physical lines (``\\r\\n``, ``\\n`` or ``\\r``) across decoded chunks."""

    def __init__(self) -> None:
        self.line = 1
        self._after_cr = False

    def feed(self, text: str) -> None:
        if not text:
            return
        breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
        if self._after_cr and text.startswith("\n"):
            breaks -= 1  # the "\r" ending the previous chunk and this "\n" are one break
        self.line += breaks
        self._after_cr = text.endswith("\r")


def sniff_delimiter(head: str, quotechar: str) -> str:
    """The most frequent of , ; TAB | outside quotes in the first non-blank line (default ,)."""
    line = next((line for line in LINE_BREAK.split(head) if line.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == quotechar:
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","
