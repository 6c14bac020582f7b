"""Bulk sources of asset files: zip archives and folders, read safely one file at a time.

Both sources yield :class:`Entry` objects, one per file, and tell two kinds of trouble
apart (as the import readers do):

* an :class:`ArchiveError` refuses the whole source (not a zip, corrupt central directory,
  too many entries, would unpack to too many bytes); its message names the archive or
  folder and says why;
* an entry with ``error`` set is one refused file (a path leading outside the archive, a
  symbolic link, a password-protected or oversized entry…); it has no local file, and the
  caller reports it and goes on with the next entry.

Directories, and the junk that operating systems leave behind (``__MACOSX/``, ``._*``,
``.DS_Store``, ``Thumbs.db``, every hidden file or folder), are skipped silently.

Nothing from a zip is ever written under its own name: each entry is streamed into a temp
file that Vitrine names, in a private folder removed on exit, so a hostile name can never
reach the file system. The checks on names protect the callers, which use ``Entry.name``
to link files to products and to show them to people.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO

try:
    from lzma import LZMAError
except ImportError:  # pragma: no cover - Python built without lzma; zipfile copes too
    LZMAError = zlib.error

#: Bytes read from (and written to) disk at a time while an entry is extracted.
CHUNK_BYTES = 1024 * 1024
#: Entries smaller than this are not checked against ``Limits.max_ratio``: a small file of
#: blank pixels or text compresses very well and is harmless.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
#: File names (lower case) that operating systems create beside the user's files.
JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", "__macosx"})
#: Compression methods :mod:`zipfile` can read (the optional modules are in the stdlib).
SUPPORTED_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
#: Flag bits of encrypted entries: traditional PKWARE encryption and strong encryption.
ENCRYPTED_FLAGS = 0x01 | 0x40
#: Errors a damaged entry raises while it is opened or decompressed (bz2 reports bad data
#: as OSError). Writing errors (a full disk) are not among them: they stop the import.
DECOMPRESSION_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")
SPLIT_HINT = "Split it into smaller archives and upload them one by one"
FOLDER_HINT = "Split it into smaller folders and import them one by one"


@dataclass(frozen=True)
class Limits:
    """How much one bulk source may hold; the defaults suit a season's photo shoot."""

    max_entries: int = 10_000
    max_file_bytes: int = 2 * 1024**3  # one extracted file
    max_total_bytes: int = 20 * 1024**3  # everything extracted
    max_ratio: int = 200  # uncompressed/compressed per entry (zip bombs)

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) <= 0:
                raise ValueError(f"Limits.{field.name} must be positive")


class ArchiveError(ValueError):
    """The whole archive (or folder) is refused; nothing of it should be imported.

    ``str(error)`` is a full sentence naming the source, e.g. ``The archive "shoot.zip"
    has 12000 entries, more than the limit of 10000. Split it into smaller archives…``
    """

    def __init__(self, source: str, reason: str, *, kind: str = "archive") -> None:
        self.source = source
        self.reason = reason
        self.kind = kind
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The sentence shown to the person who sent the archive."""
        sentence = f'The {self.kind} "{self.source}" {self.reason}'
        return sentence if sentence.endswith((".", "?", "!")) else sentence + "."

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Job queues pickle exceptions; the keyword-only ``kind`` would be lost otherwise.
        return _rebuild_archive_error, (self.source, self.reason, self.kind)


def _rebuild_archive_error(source: str, reason: str, kind: str) -> ArchiveError:
    return ArchiveError(source, reason, kind=kind)


@dataclass
class Entry:
    """One file of a bulk source.

    ``name`` is its POSIX path inside the archive (or relative to the folder), in Unicode
    NFC. ``path`` is a local file to read: a temp file for a zip entry (valid until the
    consumer asks for the next entry), the real file for a folder; it is ``None`` when
    ``error`` is set. ``size`` is the bytes extracted (or the file's size); for a refused
    entry, the size its archive declares. ``error`` reads like ``"../evil.jpg: path leads
    outside the archive; skipped"``.
    """

    name: str
    path: Path | None
    size: int
    error: str | None = None


class _EntryRefused(Exception):
    """Raised while extracting one entry; becomes that entry's ``error``."""


class _TotalExceeded(Exception):
    """The archive produced more bytes than ``max_total_bytes`` while extracting."""


# --- names -------------------------------------------------------------------------------


def is_junk(name: str) -> bool:
    """True for hidden files and folders and OS clutter anywhere in the POSIX path ``name``."""
    for segment in name.split("/"):
        if segment in ("", ".", ".."):
            continue
        if segment.startswith(".") or segment.lower() in JUNK_NAMES:
            return True
    return False


def check_name(raw: str) -> tuple[str, str | None]:
    """Normalise an archive member name; return ``(name, problem)``.

    Backslashes count as separators (Windows tools write them), ``.`` and empty segments
    are dropped, and the name is put in Unicode NFC (macOS writes NFD). ``problem`` is
    ``None`` for a safe relative name, else why the entry must be refused.
    """
    text = raw.replace("\\", "/")
    shown = text.replace("\x00", "\\x00")
    if "\x00" in text:
        return shown, "name contains a NUL byte"
    if CONTROL_CHARS.search(text):
        return CONTROL_CHARS.sub("?", text), "name contains control characters"
    if text.startswith("/") or DRIVE_LETTER.match(text):
        return text, "path is absolute"
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        return text, _dot_dot_problem(parts)
    return unicodedata.normalize("NFC", "/".join(parts)), None


def _dot_dot_problem(parts: list[str]) -> str:
    depth = 0
    for part in parts:
        depth += -1 if part == ".." else 1
        if depth < 0:
            return "path leads outside the archive"
    return "path contains a '..' segment"


def _refusal(name: str, problem: str) -> str:
    return f"{name}: {problem}; skipped"


# --- zip archives --------------------------------------------------------------------------


@dataclass
class _Planned:
    """One zip member after the checks that need no extraction."""

    info: zipfile.ZipInfo
    name: str
    error: str | None


@contextmanager
def open_zip(
    path: Path | str,
    *,
    limits: Limits = Limits(),
    workdir: Path | None = None,
    name: str | None = None,
) -> Iterator[Iterator[Entry]]:
    """Check the zip at ``path``, then give an iterator of its entries, extracted one by one.

    The whole archive is checked before anything is extracted (:class:`ArchiveError` if it
    is not a zip, is corrupt, has too many entries or declares too many bytes). Each entry
    is then streamed into a temp file in a private folder inside ``workdir`` (default: the
    system temp folder); the previous temp file is deleted when the consumer asks for the
    next entry, so disk use stays about one file. Real bytes are counted while extracting
    (declared sizes lie): an entry above ``max_file_bytes`` or ``max_ratio`` is refused,
    and the archive as a whole once it exceeds ``max_total_bytes``. On exit, normal or not,
    the private folder is removed. ``name`` is how the archive is called in messages (the
    uploaded file's name rather than a temp path). Nested zips are ordinary files.
    """
    label = name or Path(path).name
    archive = _open_archive(path, label)
    try:
        plan = _plan(archive.infolist(), limits, label)
        with tempfile.TemporaryDirectory(dir=workdir, prefix="vitrine-zip-") as folder:
            entries = _extract_all(archive, plan, Path(folder), limits, label)
            try:
                yield entries
            finally:
                entries.close()  # deletes the current temp file before the folder goes
    finally:
        archive.close()


def _open_archive(path: Path | str, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as error:
        reason = (
            f"is not a zip archive, or it is damaged ({_describe(error)}). Create the "
            "archive again and upload it"
        )
        raise ArchiveError(label, reason) from error


def _plan(infos: list[zipfile.ZipInfo], limits: Limits, label: str) -> list[_Planned]:
    """Every member to report, in archive order; the archive-wide limits applied."""
    if len(infos) > limits.max_entries:
        reason = (
            f"has {len(infos)} entries, more than the limit of {limits.max_entries}. {SPLIT_HINT}"
        )
        raise ArchiveError(label, reason)
    plan: list[_Planned] = []
    seen: set[str] = set()
    for info in infos:
        item = _plan_member(info, limits)
        if item is None:
            continue
        if item.error is None and item.name in seen:
            item.error = _refusal(item.name, "appears more than once in the archive")
        seen.add(item.name)
        plan.append(item)
    _check_declared_total(plan, limits, label)
    return plan


def _plan_member(info: zipfile.ZipInfo, limits: Limits) -> _Planned | None:
    """The member as a planned entry, or ``None`` for directories and junk (skipped)."""
    mode = info.external_attr >> 16
    if info.is_dir() or stat.S_ISDIR(mode):
        return None
    name, problem = check_name(info.orig_filename)
    if problem is None and is_junk(name):
        return None
    problem = problem or _member_problem(info, mode, limits)
    return _Planned(info, name, _refusal(name, problem) if problem else None)


def _member_problem(info: zipfile.ZipInfo, mode: int, limits: Limits) -> str | None:
    """Why a member with a safe name cannot be extracted, judged from its header."""
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return "symbolic link"
    if kind not in (0, stat.S_IFREG):
        return "not a regular file (device, pipe or socket)"
    if info.flag_bits & ENCRYPTED_FLAGS:
        return "password-protected"
    if info.compress_type not in SUPPORTED_METHODS:
        method = zipfile.compressor_names.get(info.compress_type, f"method {info.compress_type}")
        return f"compressed with an unsupported method ({method})"
    return _size_problem(info.file_size, info.compress_size, limits)


def _size_problem(size: int, compressed: int, limits: Limits) -> str | None:
    if size > limits.max_file_bytes:
        return f"is {size} bytes, more than the limit of {limits.max_file_bytes} per file"
    ratio = size / max(compressed, 1)
    if size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_ratio:
        return (
            f"is compressed {ratio:.0f} times, more than the limit of {limits.max_ratio}; "
            "it looks like a zip bomb"
        )
    return None


def _check_declared_total(plan: list[_Planned], limits: Limits, label: str) -> None:
    total = sum(item.info.file_size for item in plan if item.error is None)
    if total > limits.max_total_bytes:
        reason = (
            f"would unpack to {total} bytes, more than the limit of {limits.max_total_bytes}. "
            f"{SPLIT_HINT}"
        )
        raise ArchiveError(label, reason)


def _extract_all(
    archive: zipfile.ZipFile, plan: list[_Planned], folder: Path, limits: Limits, label: str
) -> Iterator[Entry]:
    """Yield the planned entries, each extracted just before it is yielded."""
    total = 0
    for item in plan:
        if item.error is not None:
            yield Entry(item.name, None, item.info.file_size, item.error)
            continue
        target = _temp_file(folder, item.name)
        try:
            size = _extract(archive, item.info, target, limits, limits.max_total_bytes - total)
        except _EntryRefused as refusal:
            yield Entry(item.name, None, item.info.file_size, _refusal(item.name, str(refusal)))
            continue
        except _TotalExceeded as exceeded:
            reason = (
                f"unpacks to more than {limits.max_total_bytes} bytes, the limit, although "
                f"it declares less (at {item.name}); it looks like a zip bomb"
            )
            raise ArchiveError(label, reason) from exceeded
        total += size
        try:
            yield Entry(item.name, target, size)
        finally:
            target.unlink(missing_ok=True)  # the consumer has moved on (or stopped)


def _temp_file(folder: Path, name: str) -> Path:
    """A new empty file in ``folder``, keeping the entry's extension (type sniffing)."""
    suffix = SAFE_SUFFIX.search(name.rsplit("/", 1)[-1])
    handle, path = tempfile.mkstemp(dir=folder, suffix=suffix.group() if suffix else "")
    os.close(handle)
    return Path(path)


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: Limits, budget: int
) -> int:
    """Stream one member into ``target``, counting real bytes; delete it when refused."""
    try:
        with _open_member(archive, info) as source, open(target, "wb") as output:
            written = 0
            while chunk := _read(source):
                written += len(chunk)
                problem = _size_problem(written, info.compress_size, limits)
                if problem:
                    raise _EntryRefused(problem)
                if written > budget:
                    raise _TotalExceeded(info.filename)
                output.write(chunk)
            return written
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    try:
        return archive.open(info)
    except DECOMPRESSION_ERRORS as error:
        raise _EntryRefused(f"is damaged ({_describe(error)})") from error


def _read(source: BinaryIO) -> bytes:
    try:
        return source.read(CHUNK_BYTES)
    except DECOMPRESSION_ERRORS as error:
        raise _EntryRefused(f"is damaged ({_describe(error)})") from error


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


# --- folders -------------------------------------------------------------------------------


def iter_directory(
    root: Path | str, *, limits: Limits = Limits(), name: str | None = None
) -> Iterator[Entry]:
    """The files under ``root``, depth first, each folder's children sorted by name.

    Symbolic links (to files or folders) are never followed: each is reported as an entry
    with an error. Hidden files and folders and OS clutter are skipped. ``path`` is the
    real file (no copy). The folder is walked once before anything is yielded, so
    ``max_entries`` and ``max_total_bytes`` refuse it (:class:`ArchiveError` naming the
    folder) at the call; the limits are applied again while yielding, in case files were
    added meanwhile. ``name`` is how the folder is called in messages.
    """
    root = Path(root)
    label = name or root.name or str(root)
    if not root.is_dir():
        raise ArchiveError(label, "is not a folder", kind="folder")
    for _ in _limited(_walk(root), limits, label):
        pass
    return _limited(_walk(root), limits, label)


def _limited(entries: Iterator[Entry], limits: Limits, label: str) -> Iterator[Entry]:
    """``entries`` with the folder-wide limits applied and oversized files refused."""
    total = 0
    for count, entry in enumerate(entries, start=1):
        if count > limits.max_entries:
            reason = f"has more than {limits.max_entries} files, the limit. {FOLDER_HINT}"
            raise ArchiveError(label, reason, kind="folder")
        if entry.error is None:
            problem = _size_problem(entry.size, entry.size, limits)
            if problem:
                entry = Entry(entry.name, None, entry.size, _refusal(entry.name, problem))
            else:
                total += entry.size
        if total > limits.max_total_bytes:
            reason = (
                f"holds more than {limits.max_total_bytes} bytes of files, the limit. {FOLDER_HINT}"
            )
            raise ArchiveError(label, reason, kind="folder")
        yield entry


def _walk(root: Path) -> Iterator[Entry]:
    """Depth first without recursion (deep trees must not hit the recursion limit)."""
    pending = [_children(root, "")]
    while pending:
        item = next(pending[-1], None)
        if item is None:
            pending.pop()
            continue
        child, name = item
        if is_junk(child.name):
            continue
        if not child.is_dir(follow_symlinks=False):
            yield _file_entry(child, name)
            continue
        try:
            pending.append(_children(Path(child.path), name + "/"))
        except OSError as error:
            shown = _display(name)
            problem = f"folder cannot be read ({error.strerror or _describe(error)})"
            yield Entry(shown, None, 0, _refusal(shown, problem))


def _children(folder: Path, prefix: str) -> Iterator[tuple[os.DirEntry, str]]:
    """The children of ``folder``, sorted by name, with their names under the root."""
    with os.scandir(folder) as listing:
        children = sorted(listing, key=lambda child: child.name)
    return iter([(child, prefix + child.name) for child in children])


def _file_entry(child: os.DirEntry, name: str) -> Entry:
    shown = _display(name)
    if shown != name:
        return Entry(shown, None, 0, _refusal(shown, "name is not valid UTF-8"))
    if child.is_symlink():
        return Entry(name, None, 0, _refusal(name, "symbolic link"))
    if not child.is_file(follow_symlinks=False):
        return Entry(name, None, 0, _refusal(name, "not a regular file (device, pipe or socket)"))
    size = child.stat(follow_symlinks=False).st_size
    return Entry(unicodedata.normalize("NFC", name), Path(child.path), size)


def _display(name: str) -> str:
    """``name`` as text: bytes that are not UTF-8 (kept by os.fsdecode) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
