"""Import translation files: XLIFF 1.2/2.0 or a CSV/XLSX sheet → catalogue values.

Every unit is checked against the catalogue before anything is written: the product or
model exists, the attribute is a localizable text of its family at that level, the scope
fits, both locales are activated (the source is the catalogue's source locale, or a pivot
language the file was exported from), the translator may write the target locale, the
target passes the attribute's rules (maximum length…). A dry run stops there and
reports. Otherwise, when nothing is wrong, every changed item is updated through the
product/model services (one version each, source ``translation``): completeness, stamps,
search and events follow as for any other write. Any problem and nothing is written.

A unit whose source text changed since the export is imported, but the report warns about
it and, when the file is from the catalogue's source locale, its translation stays
*outdated* (stamped with the source it was made from).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import select

from pim.models import Product, ProductModel, Source, User
from pim.services import product_models, products, translation_status
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData
from pim.services.structure_cache import Structure
from pim.services.translation_export import (
    is_outdated,
    is_rich,
    item_attributes,
    item_key,
    item_kind,
    max_length,
    value_of,
)
from pim.translations.inline import normalize_html
from pim.translations.sheet import read_sheet
from pim.translations.units import (
    TranslationFile,
    TranslationFileError,
    TranslationUnit,
    UnitProblem,
)
from pim.translations.xliff import read_xliff
from pim.values import normalize_values, value_key

XLIFF_EXTENSIONS = frozenset({"xlf", "xliff", "xml", "sdlxliff"})
SHEET_EXTENSIONS = frozenset({"csv", "xlsx"})
#: A zip of translation files (an export for several locales): at most this many files…
MAX_ZIP_FILES = 50
#: …and this many bytes once uncompressed, all files together (zip bombs).
MAX_ZIP_BYTES = 200 * 1024 * 1024


@dataclass
class ImportChange:
    """One value that changes."""

    unit_id: str
    item_kind: str
    item_key: str
    attribute: str
    locale: str
    scope: str | None
    old: str | None
    new: str


@dataclass
class ImportReport:
    """What an import found (dry run) or did (``applied``)."""

    filename: str
    dry_run: bool
    source_locale: str | None = None
    target_locales: list[str] = field(default_factory=list)
    units: int = 0  # units read
    changes: list[ImportChange] = field(default_factory=list)
    unchanged: int = 0  # units whose target equals the stored value
    empty: int = 0  # units without target (skipped)
    #: refused units (and file-level problems, ``unit_id`` None): nothing is applied
    problems: list[UnitProblem] = field(default_factory=list)
    applied: bool = False
    items_changed: int = 0
    #: imported all the same: translations of a source changed since the export
    warnings: list[UnitProblem] = field(default_factory=list)
    #: outdated translations a translator kept as they are (XLIFF state translated or
    #: final): marked current, without a new version (the values do not change)
    confirmed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no unit was refused."""
        return not self.problems

    @property
    def has_changes(self) -> bool:
        """Whether applying would write anything (changed values or confirmed ones)."""
        return bool(self.changes or self.confirmed)

    def as_dict(self) -> dict:
        """The report as JSON-ready data (API responses, job results)."""
        return {
            "filename": self.filename,
            "dry_run": self.dry_run,
            "source_locale": self.source_locale,
            "target_locales": list(self.target_locales),
            "units": self.units,
            "changes": [asdict(change) for change in self.changes],
            "unchanged": self.unchanged,
            "empty": self.empty,
            "confirmed": list(self.confirmed),
            "problems": [_problem_dict(problem) for problem in self.problems],
            "warnings": [_problem_dict(problem) for problem in self.warnings],
            "applied": self.applied,
            "items_changed": self.items_changed,
            "ok": self.ok,
        }


def _problem_dict(problem: UnitProblem) -> dict:
    return {"unit_id": problem.unit_id, "message": problem.message, "line": problem.line}


def import_translations(
    session, data: bytes, filename: str, *, actor: Actor, dry_run: bool = True
) -> ImportReport:
    """Check (and unless ``dry_run`` apply) a translation file; never raises for bad
    content: what is wrong is listed in the report's ``problems``. Flushes, never commits."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        files = _read_files(data, filename)
    except TranslationFileError as error:
        report.problems.append(UnitProblem(None, str(error)))
        return report
    structure = Structure.current(session)
    checker = _Checker(session, structure, _user_of(session, actor), report)
    for kind, file in files:
        checker.check_file(file, confirming=kind == "xliff")
    if report.problems or dry_run or not report.has_changes:
        return report
    _apply(session, structure, checker, actor, report)
    return report


# --- reading ------------------------------------------------------------------------------


def read_files(data: bytes, filename: str) -> list[TranslationFile]:
    """The translation files in ``data``: one XLIFF file or sheet, or a zip of them;
    :class:`TranslationFileError` when a file is refused."""
    return [file for _kind, file in _read_files(data, filename)]


def _read_files(data: bytes, filename: str) -> list[tuple[str, TranslationFile]]:
    kind = file_kind(data, filename)
    if kind == "zip":
        return _read_zip(data, filename)
    return [(kind, _read_one(data, filename, kind))]


def file_kind(data: bytes, filename: str) -> str:
    """``xliff``, ``csv``, ``xlsx`` or ``zip``, by the file's extension, else its content."""
    extension = PurePosixPath(filename or "").suffix.lower().lstrip(".")
    if extension in XLIFF_EXTENSIONS:
        return "xliff"
    if extension in SHEET_EXTENSIONS or extension == "zip":
        return extension
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK"):
        return "xlsx" if b"[Content_Types].xml" in data[:65536] else "zip"
    if head.startswith(b"<"):
        return "xliff"
    return "csv"


def _read_one(data: bytes, name: str, kind: str) -> TranslationFile:
    if kind == "xliff":
        return read_xliff(data, name=name)
    if kind in SHEET_EXTENSIONS:
        return read_sheet(data, name=name, file_format=kind)
    raise TranslationFileError(name, _("is not a translation file (XLIFF, CSV or XLSX)"))


def _read_zip(data: bytes, filename: str) -> list[tuple[str, TranslationFile]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TranslationFileError(filename, _("is not a valid zip file")) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _is_clutter(m)]
        if not members or len(members) > MAX_ZIP_FILES:
            reason = _("must hold between 1 and %(count)s translation files", count=MAX_ZIP_FILES)
            raise TranslationFileError(filename, reason)
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise TranslationFileError(filename, _("is too large once uncompressed"))
        files = []
        for member in members:
            kind = PurePosixPath(member.filename).suffix.lower().lstrip(".")
            kind = "xliff" if kind in XLIFF_EXTENSIONS else kind
            content = _read_member(archive, member, filename)
            files.append((kind, _read_one(content, f"{filename}/{member.filename}", kind)))
        return files


def _is_clutter(member: zipfile.ZipInfo) -> bool:
    """What archivers add next to the files (``__MACOSX/``, ``.DS_Store``…)."""
    path = PurePosixPath(member.filename)
    return path.parts[0] == "__MACOSX" or path.name.startswith(".")


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, filename: str) -> bytes:
    # the declared size may lie: read at most one byte more than it says
    with archive.open(member) as stream:
        content = stream.read(member.file_size + 1)
    if len(content) > member.file_size:
        raise TranslationFileError(filename, _("is not a valid zip file"))
    return content


def _user_of(session, actor: Actor) -> User | None:
    return session.get(User, actor.user_id) if actor.user_id is not None else None


# --- checking -----------------------------------------------------------------------------


@dataclass
class _Planned:
    """The changes of one item, and the value keys to leave outdated."""

    item: Product | ProductModel
    entries: dict = field(default_factory=dict)  # attribute → [entries]
    outdated: dict = field(default_factory=dict)  # value key → source text of the file
    confirmed: list = field(default_factory=list)  # value keys to mark current


class _Checker:
    """Checks units against the catalogue, filling the report and the plan."""

    def __init__(self, session, structure, user: User | None, report: ImportReport):
        self.session = session
        self.structure = structure
        self.user = user
        self.report = report
        self.source = translation_status.source_locale()  # the catalogue's
        self.file_source = self.source  # the file's (another one: a pivot language)
        self.items: dict[tuple[str, str], Product | ProductModel | None] = {}
        self.plans: dict[tuple[str, str], _Planned] = {}
        self.seen: set[tuple[str, str]] = set()  # (unit id, locale): twice in a zip
        self.confirming = False

    def check_file(self, file: TranslationFile, *, confirming: bool = False) -> None:
        """Check the units of ``file``; ``confirming``: its states say what a translator
        reviewed (XLIFF), so an outdated translation kept as is is confirmed."""
        self.confirming = confirming
        report = self.report
        report.units += len(file.units) + sum(1 for p in file.problems if p.unit_id)
        report.problems += file.problems
        if report.source_locale is None:
            report.source_locale = file.source_locale
        if file.target_locale not in report.target_locales:
            report.target_locales.append(file.target_locale)
        problem = self._locale_problem(file)
        if problem:
            report.problems.append(UnitProblem(None, problem))
            return
        for unit in file.units:
            problem = self._check_unit(unit)
            if problem:
                report.problems.append(UnitProblem(unit.id, problem))

    def _locale_problem(self, file: TranslationFile) -> str | None:
        source, target = file.source_locale, file.target_locale
        self.file_source = source
        if source not in self.structure.active_locales:
            return _(
                "The file translates from %(locale)s, which is not activated in any channel.",
                locale=source,
            )
        if target == source:
            return _("The file's target locale is its source locale %(locale)s.", locale=target)
        if target not in self.structure.active_locales:
            return _("The locale %(locale)s is not activated in any channel.", locale=target)
        allowed = self.user.translation_locales if self.user is not None else None
        if allowed is None or target in allowed:
            return None
        if not allowed:
            return _("You are not allowed to translate.")
        return _("You do not translate into %(locale)s.", locale=target)

    def _check_unit(self, unit: TranslationUnit) -> str | None:
        item = self._item(unit.item_kind, unit.item_key)
        if item is None:
            if unit.item_kind == "product":
                return _("There is no product %(key)s.", key=unit.item_key)
            return _("There is no product model %(key)s.", key=unit.item_key)
        attr = self.structure.attributes.get(unit.attribute)
        if attr is None:
            return _("There is no attribute %(code)s.", code=unit.attribute)
        if not translation_status.is_translatable(attr):
            return _("The attribute %(code)s is not a localizable text.", code=attr.code)
        allowed = item_attributes(self.structure, item)
        if allowed is not None and attr.code not in allowed:
            return _("The attribute %(code)s is not held by this item.", code=attr.code)
        problem = self._scope_problem(attr, unit.scope, unit.target_locale)
        if problem:
            return problem
        if (unit.id, unit.target_locale) in self.seen:
            return _("The unit is in the file more than once.")
        self.seen.add((unit.id, unit.target_locale))
        if unit.target is None or not unit.target.strip():
            self.report.empty += 1
            return None
        return self._check_target(item, attr, unit)

    def _item(self, kind: str, key: str):
        if (kind, key) not in self.items:
            if kind == "product":
                query = select(Product).where(Product.identifier == key)
            else:
                query = select(ProductModel).where(ProductModel.code == key)
            self.items[(kind, key)] = self.session.scalar(query)
        return self.items[(kind, key)]

    def _scope_problem(self, attr, scope, locale: str) -> str | None:
        if not attr.scopable:
            if scope is not None:
                return _("The attribute %(code)s is not scopable.", code=attr.code)
            return None
        channel = self.structure.channels.get(scope) if scope else None
        if channel is None:
            return _("The attribute %(code)s needs a channel as scope.", code=attr.code)
        if locale not in channel.locales:
            return _(
                "The locale %(locale)s is not activated for the channel %(channel)s.",
                locale=locale,
                channel=scope,
            )
        return None

    def _check_target(self, item, attr, unit: TranslationUnit) -> str | None:
        if unit.rich and not is_rich(attr):
            return _("The unit holds rich text but %(code)s is plain text.", code=attr.code)
        limit = max_length(attr)
        if len(unit.target) > limit:
            return _(
                "The target is %(length)s characters long, the maximum is %(limit)s.",
                length=len(unit.target),
                limit=limit,
            )
        entry = {"locale": unit.target_locale, "scope": unit.scope, "data": unit.target}
        try:
            normalized = normalize_values(self.structure, {attr.code: [entry]}, subject=unit.id)
        except InvalidData as invalid:
            return "; ".join(str(problem) for problem in invalid.problems)
        new = normalized[attr.code][0]["data"] if normalized else None
        if new is None:
            self.report.empty += 1
            return None
        self._plan(item, attr, unit, new)
        return None

    def _plan(self, item, attr, unit: TranslationUnit, new: str) -> None:
        values = item.values or {}
        old = value_of(values, attr.code, unit.target_locale, unit.scope)
        key = (item_kind(item), item_key(item))
        if old == new:
            self._unchanged(item, attr, unit, key)
            return
        planned = self.plans.setdefault(key, _Planned(item))
        entry = {"locale": unit.target_locale, "scope": unit.scope, "data": new}
        planned.entries.setdefault(attr.code, []).append(entry)
        self.report.changes.append(
            ImportChange(
                unit.id, key[0], key[1], attr.code, unit.target_locale, unit.scope, old, new
            )
        )
        current = value_of(values, attr.code, self.file_source, unit.scope)
        if not _same_source(current, unit.source, is_rich(attr)):
            message = _("The source text changed since the export.")
            if self.file_source == self.source:  # stamps follow the catalogue's source only
                planned.outdated[value_key(attr.code, unit.target_locale, unit.scope)] = unit.source
                message = _(
                    "The source text changed since the export: the translation stays outdated."
                )
            self.report.warnings.append(UnitProblem(unit.id, message))

    def _unchanged(self, item, attr, unit: TranslationUnit, key) -> None:
        self.report.unchanged += 1
        if not self.confirming or unit.state not in ("translated", "final"):
            return
        if self.file_source != self.source or not is_outdated(
            item, attr.code, unit.target_locale, unit.scope
        ):
            return
        current = value_of(item.values or {}, attr.code, self.source, unit.scope)
        if _same_source(current, unit.source, is_rich(attr)):  # reviewed against today's
            planned = self.plans.setdefault(key, _Planned(item))
            planned.confirmed.append(value_key(attr.code, unit.target_locale, unit.scope))
            self.report.confirmed.append(unit.id)


def _same_source(current, text: str, rich: bool) -> bool:
    if current is None:
        return False
    if rich:
        current, text = normalize_html(current), normalize_html(text)
    return translation_status.source_hash(current) == translation_status.source_hash(text)


# --- applying -----------------------------------------------------------------------------


def _apply(session, structure, checker: _Checker, actor: Actor, report: ImportReport) -> None:
    """Write every planned change (all or nothing: a refusal rolls the savepoint back)."""
    author = Actor(name=actor.name, source=str(Source.TRANSLATION), user_id=actor.user_id)
    changed = 0
    try:
        with session.begin_nested():
            for planned in checker.plans.values():
                changed += _apply_item(session, structure, planned, author, checker.source)
    except (InvalidData, ConflictError) as error:
        report.problems.append(UnitProblem(None, str(error)))
        return
    report.applied = True
    report.items_changed = changed


def _apply_item(session, structure, planned: _Planned, author: Actor, source: str) -> int:
    item = planned.item
    version = None
    if planned.entries:
        payload = {"values": planned.entries}
        if isinstance(item, Product):
            version = products.update_product(session, item, payload, author, structure=structure)
        else:
            version = product_models.update_model(
                session, item, payload, author, structure=structure
            )
    if not (planned.outdated or planned.confirmed):
        return 1 if version is not None else 0
    stamps = translation_status.confirm(
        item.translation_sources, item.values or {}, planned.confirmed, source
    )
    for key, text in planned.outdated.items():
        if key in stamps:
            stamps[key] = {"from": source, "hash": translation_status.source_hash(text)}
    item.translation_sources = stamps
    session.flush()
    return 1
