"""XLIFF 1.2 and 2.0 files of translation units: a streaming writer and a hardened reader.

Writing (:func:`write_xliff`) streams through :class:`lxml.etree.xmlfile`: memory does not
grow with the number of units when they come from a generator.

* 1.2: ``<xliff version="1.2">``, one ``<file original source-language target-language
  datatype="html">`` with a ``<header><tool/></header>``, one ``<trans-unit>`` per unit
  (``id`` and ``resname`` = the unit id, ``datatype`` ``html`` or ``plaintext``,
  ``maxwidth``/``size-unit="char"`` for a maximum length, ``xml:space="preserve"``),
  ``<source>``, ``<target state>`` when there is a target, one ``<note>`` per context note
  and one giving the maximum length.
* 2.0: ``<xliff version="2.0" srcLang trgLang>``, one ``<file id="f1">`` declaring the
  Size and Length Restriction profile (``slr:profiles generalProfile="xliff:codepoints"``),
  one ``<unit>`` per unit. A 2.0 unit id must be an XML NMTOKEN, which ``/`` and ``%`` are
  not: the unit id is ``u1``, ``u2``… and the stable Vitrine id is in ``name`` (the reader
  uses ``name``, or ``id`` when there is no name). ``type="vitrine:html"`` marks rich
  text, ``slr:sizeRestriction`` the maximum length; then ``<notes>``, ``<originalData>``
  (the native HTML tags, see :mod:`pim.translations.inline`) and one ``<segment state>``.

Reading (:func:`read_xliff`) refuses, with a :class:`XliffError` naming the file and the
line: a DOCTYPE (so entity tricks, billion laughs and external entities, are refused
before anything is expanded), text that is not well-formed XML, a root other than
``<xliff>`` in the 1.2 or 2.0 namespace, a version that does not match the namespace,
elements of the other XLIFF version, missing languages, and ``<file>`` elements of
different languages (several files with the same languages are read as one). Problems of
single units (no id, a bad or duplicate id, broken inline tags, a target over the maximum
length) are collected in ``problems``; those units are left out of ``units``.

Files from CAT tools are accepted: 1.2 ``<seg-source>`` is ignored (``<source>`` holds the
whole text), ``<mrk mtype="seg">`` segments in the target are joined, ``<alt-trans>``
matches are ignored, 1.2 states (``translated``, ``final``, ``signed-off``,
``needs-review-translation``…) and ``approved="yes"`` are mapped to
:data:`pim.translations.units.STATES`; several 2.0 segments are joined. Whitespace inside
source and target is kept as it is.

HTML rebuilt from a file is not trusted more than any other input: tag names must be plain
names and attributes come from the file's *source*, but the import step still compares the
source with the catalogue's current value and stores targets through the PIM's value
validation, which sanitises rich text.
"""

from __future__ import annotations

import io
import re
from typing import BinaryIO

from lxml import etree

from .inline import (
    HTML_ATTRS_NS,
    XLIFF12_NS,
    XLIFF20_NS,
    Inline,
    InlineError,
    check_codes,
    match_codes,
    original_data,
    parse_html,
    plain_text,
    read_inline,
    to_html,
    write_inline_12,
    write_inline_20,
    xml_safe,
)
from .units import (
    STATES,
    TranslationFile,
    TranslationFileError,
    TranslationUnit,
    UnitProblem,
    from_bcp47,
    max_length_note,
    max_length_problem,
    parse_unit_id,
    to_bcp47,
)

VERSIONS = {"1.2": XLIFF12_NS, "2.0": XLIFF20_NS}
SLR_NS = "urn:oasis:names:tc:xliff:sizerestriction:2.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_SPACE = f"{{{XML_NS}}}space"
HTML_TYPE_20 = "vitrine:html"
NEEDS_REVIEW_20 = "vitrine:needs-review"
#: Our states → XLIFF 1.2 ``state``, and back (unknown 1.2 states read as needs-review).
STATE_TO_12 = {
    "new": "new",
    "needs-review": "needs-review-translation",
    "translated": "translated",
    "final": "final",
}
STATE_FROM_12 = {
    "new": "new",
    "needs-translation": "new",
    "translated": "translated",
    "final": "final",
    "signed-off": "final",
}
STATE_TO_20 = {"new": "initial", "needs-review": "translated", "translated": "translated"}
STATE_FROM_20 = {"initial": "new", "translated": "translated", "reviewed": "translated"}
PROLOG_SCAN_BYTES = 64 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_DOCTYPE_16 = tuple(
    marker.encode(codec)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for codec in ("utf-16-le", "utf-16-be")
)
#: Note written instead of an existing target whose tags differ from the source's.
OLD_TARGET_NOTE = "Previous translation (its tags differ from the source's): "
DTD_REASON = (
    "declares a DTD (<!DOCTYPE …>); DTDs and entity declarations are not accepted in "
    "XLIFF files. Export the file again without a DOCTYPE"
)
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


class XliffError(TranslationFileError):
    """The XLIFF file is refused as a whole."""


# --- writing ------------------------------------------------------------------------------


def write_xliff(file: TranslationFile, out: BinaryIO, version: str = "1.2") -> int:
    """Write ``file`` as XLIFF ``version`` ("1.2" or "2.0") into ``out``; return the unit count.

    Units are consumed one at a time from ``file.units`` (a generator keeps memory flat).
    """
    if version not in VERSIONS:
        raise ValueError(f"XLIFF version must be 1.2 or 2.0, not {version!r}")
    source, target = to_bcp47(file.source_locale), to_bcp47(file.target_locale)
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        if version == "1.2":
            return _write_12(xf, file, source, target)
        return _write_20(xf, file, source, target)


def _write_12(xf, file: TranslationFile, source: str, target: str) -> int:
    ns = f"{{{XLIFF12_NS}}}"
    count = 0
    root = {"version": "1.2"}
    with xf.element(
        ns + "xliff", root, nsmap={None: XLIFF12_NS, "h": HTML_ATTRS_NS, "xml": XML_NS}
    ):
        attrs = {"original": file.original, "source-language": source}
        attrs.update({"target-language": target, "datatype": "html"})
        with xf.element(ns + "file", attrs):
            with xf.element(ns + "header"), xf.element(ns + "tool", _tool(file)):
                pass
            with xf.element(ns + "body"):
                for unit in file.units:
                    _write_unit_12(xf, ns, unit)
                    count += 1
    return count


def _tool(file: TranslationFile) -> dict[str, str]:
    return {"tool-id": file.tool.lower(), "tool-name": file.tool}


def _write_unit_12(xf, ns: str, unit: TranslationUnit) -> None:
    uid = unit.id
    attrs = {"id": uid, "resname": uid, "datatype": "html" if unit.rich else "plaintext"}
    if unit.max_length is not None:
        attrs.update({"maxwidth": str(unit.max_length), "size-unit": "char"})
    if unit.state == "final":
        attrs["approved"] = "yes"
    attrs[XML_SPACE] = "preserve"
    source = _source_of(unit)
    with xf.element(ns + "trans-unit", attrs):
        with xf.element(ns + "source"):
            write_inline_12(xf, source.nodes, source.codes, with_attributes=True)
        target, notes = _target_of(unit, source)
        if target is not None:
            with xf.element(ns + "target", state=STATE_TO_12.get(unit.state, "translated")):
                write_inline_12(xf, target.nodes, source.codes, with_attributes=False)
        for note in notes:
            with xf.element(ns + "note"):
                xf.write(xml_safe(note))


def _inline_of(value: str, rich: bool) -> Inline:
    return parse_html(value) if rich else Inline([value] if value else [], {})


def _source_of(unit: TranslationUnit) -> Inline:
    try:
        return _inline_of(unit.source, unit.rich)
    except InlineError as error:
        raise ValueError(f"unit {unit.id}: the source cannot be exported: {error}") from None


def _notes(unit: TranslationUnit) -> list[str]:
    extra = [max_length_note(unit.max_length)] if unit.max_length is not None else []
    return [*unit.notes, *extra]


def _target_of(unit: TranslationUnit, source: Inline) -> tuple[Inline | None, list[str]]:
    """The existing target with the source's code ids, and the unit's notes.

    An existing rich target whose tags differ from the source's cannot be written with
    the source's codes: it is left out and shown to the translator in a note instead.
    """
    notes = _notes(unit)
    if unit.target is None:
        return None, notes
    if not unit.rich:
        return _inline_of(unit.target, False), notes
    try:
        target = match_codes(source, parse_html(unit.target))
    except InlineError:
        target = None
    if target is None or check_codes(source, target):
        return None, [*notes, OLD_TARGET_NOTE + unit.target]
    return target, notes


def _write_20(xf, file: TranslationFile, source: str, target: str) -> int:
    ns = f"{{{XLIFF20_NS}}}"
    count = 0
    root = {"version": "2.0", "srcLang": source, "trgLang": target}
    nsmap = {None: XLIFF20_NS, "slr": SLR_NS, "xml": XML_NS}
    with (
        xf.element(ns + "xliff", root, nsmap=nsmap),
        xf.element(ns + "file", id="f1", original=file.original),
    ):
        with xf.element(f"{{{SLR_NS}}}profiles", generalProfile="xliff:codepoints"):
            pass
        for unit in file.units:
            count += 1
            _write_unit_20(xf, ns, unit, f"u{count}")
    return count


def _write_unit_20(xf, ns: str, unit: TranslationUnit, nmtoken: str) -> None:
    attrs = {"id": nmtoken, "name": unit.id}
    attrs["type"] = HTML_TYPE_20 if unit.rich else "vitrine:plaintext"
    if unit.max_length is not None:
        attrs[f"{{{SLR_NS}}}sizeRestriction"] = str(unit.max_length)
    attrs[XML_SPACE] = "preserve"
    source = _source_of(unit)
    target, notes = _target_of(unit, source)
    with xf.element(ns + "unit", attrs):
        if notes:
            with xf.element(ns + "notes"):
                for note in notes:
                    with xf.element(ns + "note"):
                        xf.write(xml_safe(note))
        if source.codes:
            with xf.element(ns + "originalData"):
                for data_id, native in original_data(source.codes):
                    with xf.element(ns + "data", id=data_id):
                        xf.write(xml_safe(native))
        with xf.element(ns + "segment", _segment_state(unit, target is not None)):
            with xf.element(ns + "source"):
                write_inline_20(xf, source.nodes, source.codes)
            if target is not None:
                with xf.element(ns + "target"):
                    write_inline_20(xf, target.nodes, source.codes)


def _segment_state(unit: TranslationUnit, has_target: bool) -> dict[str, str]:
    if not has_target:
        return {"state": "initial"}
    if unit.state == "needs-review":
        return {"state": "translated", "subState": NEEDS_REVIEW_20}
    return {"state": STATE_TO_20.get(unit.state, unit.state)}


# --- reading ------------------------------------------------------------------------------


def read_xliff(data: bytes | BinaryIO, *, name: str = "upload.xlf") -> TranslationFile:
    """The units of an XLIFF 1.2 or 2.0 file; :class:`XliffError` if the file is refused.

    ``name`` (the uploaded file's name) is used in messages. Unit problems are listed in
    the result's ``problems``, those units left out of ``units``.
    """
    stream = _open(data, name)
    return _Reader(name).read(stream)


class _Prefixed:
    """A stream whose first bytes were already read (for the prolog check)."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self.head = io.BytesIO(head)
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        chunk = self.head.read(size)
        if chunk:
            return chunk
        return self.rest.read(size)


def _open(data: bytes | BinaryIO, name: str):
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    head = stream.read(PROLOG_SCAN_BYTES)
    if not head.strip():
        raise XliffError(name, "is empty; it should be an XLIFF 1.2 or 2.0 file")
    match = _DOCTYPE.search(head)
    if match or any(marker in head for marker in _DOCTYPE_16):
        line = head.count(b"\n", 0, match.start()) + 1 if match else None
        raise XliffError(name, DTD_REASON, line=line)
    return _Prefixed(head, stream)


class _Reader:
    def __init__(self, name: str):
        self.name = name
        self.version: str | None = None
        self.ns = ""
        self.unit_tag = ""
        self.languages: tuple[str, str] | None = None
        self.file_datatype: str | None = None
        self.original = "vitrine"
        self.tool = "Vitrine"
        self.units: dict[str, TranslationUnit] = {}
        self.refused: set[str] = set()  # ids seen on a refused unit
        self.problems: list[UnitProblem] = []

    def read(self, stream) -> TranslationFile:
        try:
            for kind, element in etree.iterparse(stream, **PARSER_OPTIONS):
                if kind == "start":
                    self._start(element)
                elif element.tag == self.unit_tag:
                    self._unit(element)
                    _release(element)
        except etree.XMLSyntaxError as error:
            message = re.sub(r",? line \d+, column \d+$", "", (error.msg or str(error)).strip())
            reason = f"is not well-formed XML: {message}"
            raise XliffError(self.name, reason, line=error.lineno or None) from None
        if self.version is None:
            raise XliffError(self.name, "has no root element")
        return self._result()

    def _start(self, element) -> None:
        if self.version is None:
            self._root(element)
        elif element.tag.startswith("{urn:oasis:names:tc:xliff:document:") and not (
            element.tag.startswith(self.ns)
        ):
            reason = (
                f"mixes XLIFF versions: the element <{_local(element.tag)}> is in the namespace "
                f"{element.tag[1:].partition('}')[0]}, the file is XLIFF {self.version}"
            )
            raise XliffError(self.name, reason, line=element.sourceline)
        elif element.tag == self.ns + "file" and self.version == "1.2":
            self._file_12(element)
        elif element.tag == self.ns + "file":
            self.original = element.get("original") or self.original
        elif element.tag == self.ns + "tool":
            self.tool = element.get("tool-name") or self.tool

    def _root(self, element) -> None:
        if element.getroottree().docinfo.doctype:
            raise XliffError(self.name, DTD_REASON)
        namespace, local = element.tag[1:].partition("}")[::2] if "}" in element.tag else ("", "")
        if local != "xliff" or namespace not in VERSIONS.values():
            found = f"<{_local(element.tag) or element.tag}>"
            where = f" in the namespace {namespace}" if namespace else " without a namespace"
            reason = (
                f"is not an XLIFF file: its root element is {found}{where}; expected <xliff> "
                f"in the namespace {XLIFF12_NS} (1.2) or {XLIFF20_NS} (2.0)"
            )
            raise XliffError(self.name, reason, line=element.sourceline)
        version = element.get("version")
        expected = "1.2" if namespace == XLIFF12_NS else "2.0"
        if version != expected and not (expected == "2.0" and version == "2.1"):
            reason = (
                f'declares version="{version}" but uses the XLIFF {expected} namespace; '
                "only XLIFF 1.2 and 2.0 are read"
            )
            raise XliffError(self.name, reason, line=element.sourceline)
        self.version, self.ns = expected, f"{{{namespace}}}"
        self.unit_tag = self.ns + ("trans-unit" if expected == "1.2" else "unit")
        if expected == "2.0":
            self._languages(element.get("srcLang"), element.get("trgLang"), element)

    def _file_12(self, element) -> None:
        self._languages(element.get("source-language"), element.get("target-language"), element)
        self.file_datatype = element.get("datatype")
        self.original = element.get("original") or self.original

    def _languages(self, source: str | None, target: str | None, element) -> None:
        names = (
            ("source-language", "target-language")
            if self.version != "2.0"
            else ("srcLang", "trgLang")
        )
        for value, attribute in zip((source, target), names, strict=True):
            if not value:
                reason = f"has no {attribute}: the file must say which languages it translates"
                raise XliffError(self.name, reason, line=element.sourceline)
        try:
            languages = (from_bcp47(source), from_bcp47(target))
        except ValueError as error:
            reason = f"has a bad language: {error}"
            raise XliffError(self.name, reason, line=element.sourceline) from None
        if self.languages is not None and languages != self.languages:
            reason = (
                f"has <file> elements for different languages ({'→'.join(self.languages)} and "
                f"{'→'.join(languages)}); send one file per target language"
            )
            raise XliffError(self.name, reason, line=element.sourceline)
        self.languages = languages

    def _unit(self, element) -> None:
        line = element.sourceline
        uid = (
            element.get("id") if self.version == "1.2" else element.get("name") or element.get("id")
        )
        if not uid:
            self.problems.append(UnitProblem(None, f"a <{_local(element.tag)}> has no id", line))
            return
        if uid in self.units or uid in self.refused:
            self.refused.add(uid)
            self.problems.append(UnitProblem(uid, "the id is used by more than one unit", line))
            return
        try:
            unit = self._build(uid, element)
        except (ValueError, InlineError) as error:
            self.problems.append(UnitProblem(uid, str(error), line))
            self.refused.add(uid)  # seen: a later unit with this id is a duplicate too
            return
        problem = max_length_problem(unit)
        if problem:
            self.problems.append(UnitProblem(uid, problem, line))
            self.refused.add(uid)
            return
        self.units[uid] = unit

    def _build(self, uid: str, element) -> TranslationUnit:
        key = parse_unit_id(uid)
        read_parts = self._parts_12 if self.version == "1.2" else self._parts_20
        rich, source, target, state, max_length = read_parts(element)
        source_text, target_text = _values(uid, rich, source, target)
        return TranslationUnit(
            key.item_kind,
            key.item_key,
            key.attribute,
            key.scope,
            *self.languages,
            source=source_text,
            target=target_text,
            rich=rich,
            max_length=max_length,
            notes=self._notes(element, max_length),
            state=state if target_text is not None else "new",
        )

    def _parts_12(self, element):
        ns = self.ns
        rich = (element.get("datatype") or self.file_datatype) == "html"
        source_element = element.find(ns + "source")
        if source_element is None:
            raise ValueError("the unit has no <source>")
        source = read_inline(source_element, "1.2", source=True)
        target_element = element.find(ns + "target")
        target = state = None
        if target_element is not None:
            target = read_inline(target_element, "1.2", source=False)
            state = STATE_FROM_12.get(target_element.get("state") or "translated", "needs-review")
            if element.get("approved") == "yes":
                state = "final"
        max_length = _max_length(element.get("maxwidth"), element.get("size-unit"))
        return rich, source, target, state, max_length

    def _parts_20(self, element):
        ns = self.ns
        rich = element.get("type") == HTML_TYPE_20
        data = {
            item.get("id"): item.text or ""
            for item in element.iterfind(f"{ns}originalData/{ns}data")
        }
        sources, targets, states, translated = [], [], [], []
        for part in element:
            if part.tag not in (ns + "segment", ns + "ignorable"):
                continue
            source_element, target_element = part.find(ns + "source"), part.find(ns + "target")
            if source_element is None:
                raise ValueError(f"a <{_local(part.tag)}> has no <source>")
            sources.append(read_inline(source_element, "2.0", data, source=True))
            # blanks between segments without a target: their source stands for it
            shown = source_element if target_element is None else target_element
            targets.append(read_inline(shown, "2.0", data, source=False))
            if part.tag == ns + "segment":
                states.append(_state_20(part))
                translated.append(target_element is not None)
        if not states:
            raise ValueError("the unit has no <segment>")
        if any(translated) and not all(translated):
            raise ValueError("some segments have a <target> and others not")
        target = _join(targets) if all(translated) else None
        state = min(states, key=STATES.index)
        max_length = _max_length(element.get(f"{{{SLR_NS}}}sizeRestriction"), None)
        return rich, _join(sources), target, state, max_length

    def _notes(self, element, max_length: int | None) -> list[str]:
        path = "note" if self.version == "1.2" else "notes/" + self.ns + "note"
        skipped = max_length_note(max_length) if max_length is not None else None
        notes = [note.text or "" for note in element.iterfind(self.ns + path)]
        return [note for note in notes if note != skipped]

    def _result(self) -> TranslationFile:
        if self.languages is None:
            raise XliffError(self.name, "has no <file> element")
        units = [unit for uid, unit in self.units.items() if uid not in self.refused]
        return TranslationFile(
            *self.languages,
            units=units,
            original=self.original,
            tool=self.tool,
            problems=self.problems,
        )


def _values(uid: str, rich: bool, source: Inline, target: Inline | None):
    if not rich:
        for inline, which in ((source, "source"), (target, "target")):
            if inline is not None and inline.codes:
                raise ValueError(f"the {which} of a plain-text value cannot have inline tags")
        return plain_text(source.nodes), None if target is None else _plain_or_none(target)
    source_html = to_html(source.nodes, source.codes)
    if target is None or not target.nodes:
        return source_html, None
    problems = check_codes(source, target)
    if problems:
        raise InlineError("; ".join(problems))
    return source_html, to_html(target.nodes, source.codes)


def _plain_or_none(target: Inline) -> str | None:
    text = plain_text(target.nodes)
    return text or None


def _join(parts: list[Inline]) -> Inline:
    nodes: list = []
    codes = {}
    for part in parts:
        for node in part.nodes:
            if isinstance(node, str) and nodes and isinstance(nodes[-1], str):
                nodes[-1] += node
            else:
                nodes.append(node)
        codes.update(part.codes)
    return Inline(nodes, codes)


def _state_20(segment) -> str:
    if segment.get("subState") == NEEDS_REVIEW_20:
        return "needs-review"
    state = segment.get("state") or "initial"
    if state == "final":
        return "final"
    return STATE_FROM_20.get(state, "needs-review")


def _max_length(value: str | None, unit: str | None) -> int | None:
    if value is None:
        return None
    if unit not in (None, "char"):
        raise ValueError(f'the maximum length is in "{unit}", only "char" is understood')
    text = value.split(",")[-1].strip()  # slr:sizeRestriction may be "min,max"
    if not text.isdigit():
        raise ValueError(f"the maximum length {value!r} is not a whole number")
    return int(text)


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _release(element) -> None:
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
