"""Rich text ↔ XLIFF inline codes, and the check that a translation kept the source's tags.

A rich-text value is HTML (the subset :func:`nh3.clean` keeps). For translation it becomes
an :class:`Inline`: a tree of text, :class:`Span` (a paired tag such as ``<strong>…</strong>``
around content) and :class:`Placeholder` (an empty tag such as ``<br>``), each code
numbered ``1``, ``2``… in document order, plus the :class:`Code` of every id: tag name and
original attributes. The attributes (``href``, ``src``…) are never part of the
translatable text:

* XLIFF 1.2 writes ``<g id="1" ctype="x-html-strong">…</g>`` and
  ``<x id="2" ctype="x-html-br"/>``; the attributes go on the source's codes in the
  ``urn:vitrine:xliff:html`` namespace (``h:href="…"``), as XLIFF 1.2 allows attributes
  of other namespaces on inline elements;
* XLIFF 2.0 writes ``<pc id="1" dataRefStart="o1" dataRefEnd="c1">…</pc>`` and
  ``<ph id="2" dataRef="o2"/>``, the native tags (``<a href="…">``, ``</a>``) in the
  unit's ``<originalData>``, as the 2.0 core specifies.

On import the target's HTML is rebuilt from the *source's* codes: a translator (or a
tool) editing the attributes on the target's codes changes nothing. :func:`check_codes`
first makes sure the target uses exactly the source's ids, each once, of the same kind,
each inside the same parent code as in the source; siblings may be reordered.

HTML is read by a small forward-only tokenizer (linear whatever is typed; tags nested
more than :data:`MAX_DEPTH` deep are refused), never by an XML parser: no entity
expansion, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape

#: Elements that never have content (the HTML void elements).
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
CTYPE_PREFIX = "x-html-"
#: Deepest nesting of tags accepted (the tree is walked recursively).
MAX_DEPTH = 100
#: Problems listed for one piece of HTML (the first ones are enough to fix it).
MAX_ERRORS = 10


class InlineError(ValueError):
    """Inline markup that cannot be read or rebuilt; the message names the tag."""


@dataclass(frozen=True, slots=True)
class Code:
    """An HTML tag as an inline code: its name, its original attributes, paired or empty."""

    tag: str
    attrs: tuple[tuple[str, str], ...] = ()
    paired: bool = True

    def open_tag(self) -> str:
        """The native opening tag, e.g. ``<a href="https://…">``."""
        return _open_tag(self.tag, self.attrs)

    def close_tag(self) -> str:
        """The native closing tag (paired codes only)."""
        return f"</{self.tag}>"


@dataclass(slots=True)
class Span:
    """A paired code around content."""

    id: str
    children: list = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Placeholder:
    """An empty code."""

    id: str


Node = str | Span | Placeholder


@lru_cache(maxsize=256)  # bounded: memory must not grow with the number of units
def _open_tag(tag: str, attrs: tuple[tuple[str, str], ...]) -> str:
    text = "".join(f' {name}="{escape_attribute(value)}"' for name, value in attrs)
    return f"<{tag}{text}>"


@dataclass(slots=True)
class Inline:
    """Text with inline codes; ``codes`` describes every id used in ``nodes``."""

    nodes: list
    codes: dict[str, Code]


# --- HTML ---------------------------------------------------------------------------------


def escape_text(text: str) -> str:
    """Escape text the way the sanitiser serialises it (``&``, ``<``, ``>``, no-break space)."""
    return (
        text.replace("&", "&amp;")
        .replace("\xa0", "&nbsp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def escape_attribute(value: str) -> str:
    """Escape an attribute value the way the sanitiser serialises it."""
    return value.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace('"', "&quot;")


# The tokenizer moves forward only (no pattern can backtrack over what it has read), so
# parsing is linear in the length of the text whatever a translator types.
_TAG_NAME_CHARS = re.compile(r"[a-zA-Z][^\s/>]*")
_SEPARATORS = re.compile(r"[\s/]*")
_ATTRIBUTE_NAME_CHARS = re.compile(r"[^\s/>=][^\s/>=]*")
_EQUALS = re.compile(r"\s*=\s*")
_UNQUOTED_VALUE = re.compile(r"[^\s>]*")


class _Unterminated(Exception):
    """The markup runs to the end of the text (a tag without ``>``, an open quote…)."""


def _start_tag(html: str, position: int) -> tuple[str, list[tuple[str, str]], bool, int]:
    """Tag name, attributes, self-closing, end position of the start tag at ``position``."""
    name = _TAG_NAME_CHARS.match(html, position + 1)
    tag, position, attrs, seen = name.group().lower(), name.end(), [], set()
    while True:
        separators = _SEPARATORS.match(html, position)
        position = separators.end()
        if position >= len(html):
            raise _Unterminated(tag)
        if html[position] == ">":
            return tag, attrs, separators.group().endswith("/"), position + 1
        attribute = _ATTRIBUTE_NAME_CHARS.match(html, position)
        position, value = attribute.end(), ""
        if equals := _EQUALS.match(html, position):
            value, position = _attribute_value(html, equals.end(), tag)
        name = attribute.group().lower()
        if name not in seen:  # the first of repeated attributes wins, as in browsers
            seen.add(name)
            attrs.append((name, value))


def _attribute_value(html: str, position: int, tag: str) -> tuple[str, int]:
    quote = html[position : position + 1]
    if quote in ("'", '"'):
        end = html.find(quote, position + 1)
        if end < 0:
            raise _Unterminated(tag)  # an opening quote that is never closed
        return unescape(html[position + 1 : end]), end + 1
    found = _UNQUOTED_VALUE.match(html, position)
    return unescape(found.group()), found.end()


class _TreeBuilder:
    """A small HTML tokenizer for sanitised fragments, building the inline tree.

    Tags and attributes as in HTML (names lower-cased, character references decoded);
    comments and declarations are dropped; a ``<`` that starts no tag is text.
    """

    def __init__(self):
        self.root: list = []
        self.stack: list[tuple[Span, str]] = []
        self.codes: dict[str, Code] = {}
        self.errors: list[str] = []
        self._text: list[str] = []  # text since the last tag, joined once (no quadratic +=)
        self.open_counts: dict[str, int] = {}

    def _children(self) -> list:
        if self._text:
            text, self._text = "".join(self._text), []
            if text:
                (self.stack[-1][0].children if self.stack else self.root).append(text)
        return self.stack[-1][0].children if self.stack else self.root

    def _new_code(self, tag: str, attrs, paired: bool) -> str:
        code_id = str(len(self.codes) + 1)
        self.codes[code_id] = Code(tag, tuple(attrs), paired)
        return code_id

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            self._children().append(Placeholder(self._new_code(tag, attrs, paired=False)))
            return
        if len(self.stack) >= MAX_DEPTH:
            raise InlineError(f"tags are nested more than {MAX_DEPTH} deep (at <{tag}>)")
        span = Span(self._new_code(tag, attrs, paired=True))
        self._children().append(span)
        self.stack.append((span, tag))
        self.open_counts[tag] = self.open_counts.get(tag, 0) + 1

    def handle_startendtag(self, tag, attrs):
        if tag in VOID_TAGS:
            self.handle_starttag(tag, attrs)
        else:  # <b/> in HTML opens a <b>; as a translation it is an empty pair
            self._children().append(Span(self._new_code(tag, attrs, paired=True)))

    def handle_endtag(self, tag):
        self._children()
        if not self.open_counts.get(tag):
            self._error(f"the closing tag </{tag}> has no opening tag")
            return
        if self.stack[-1][1] != tag:
            self._error(f"the tag <{self.stack[-1][1]}> is not closed before </{tag}>")
        while self._pop() != tag:
            pass

    def _pop(self) -> str:
        tag = self.stack.pop()[1]
        self.open_counts[tag] -= 1
        return tag

    def _error(self, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    def handle_data(self, data):
        self._text.append(data)

    def feed(self, html: str) -> None:
        position, length = 0, len(html)
        while position < length:
            bracket = html.find("<", position)
            if bracket < 0:
                bracket = length
            if bracket > position:
                self.handle_data(unescape(html[position:bracket]))
            position = bracket
            if position < length:
                position = self._markup(html, position)

    def _markup(self, html: str, position: int) -> int:
        following = html[position + 1 : position + 2]
        if following.isascii() and following.isalpha():
            try:
                tag, attrs, self_closing, end = _start_tag(html, position)
            except _Unterminated as error:
                self._error(f"the tag <{error}> has no closing >")
                return len(html)
            if self_closing:
                self.handle_startendtag(tag, attrs)
            else:
                self.handle_starttag(tag, attrs)
            return end
        closing = html[position + 2 : position + 3]
        if following == "/" and closing.isascii() and closing.isalpha():
            end = html.find(">", position)
            if end < 0:
                self._error("a closing tag has no closing >")
                return len(html)
            self.handle_endtag(_TAG_NAME_CHARS.match(html, position + 2).group().lower())
            return end + 1
        if following in ("!", "?"):  # comments and declarations are dropped
            marker = "-->" if html.startswith("<!--", position) else ">"
            end = html.find(marker, position + 2)
            return len(html) if end < 0 else end + len(marker)
        self.handle_data("<")
        return position + 1

    def close(self):
        self._children()
        for _, tag in reversed(self.stack):
            self._error(f"the tag <{tag}> is never closed")


def parse_html(html: str, *, strict: bool = False) -> Inline:
    """The inline tree of an HTML fragment, codes numbered in document order.

    ``strict`` raises :class:`InlineError` for stray, overlapping or unclosed tags (for
    HTML typed by a translator); otherwise they are repaired as a browser would.
    """
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    if strict and builder.errors:
        raise InlineError("; ".join(builder.errors))
    return Inline(builder.root, builder.codes)


def to_html(nodes: list, codes: dict[str, Code]) -> str:
    """HTML of ``nodes``, each code rebuilt from ``codes`` (the source's)."""
    parts: list[str] = []
    _html_parts(nodes, codes, parts)
    return "".join(parts)


def _html_parts(nodes: list, codes: dict[str, Code], parts: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape_text(node))
            continue
        code = codes.get(node.id)
        if code is None:
            raise InlineError(f"inline code {node.id} is not in the source")
        parts.append(code.open_tag())
        if isinstance(node, Span):
            _html_parts(node.children, codes, parts)
            parts.append(code.close_tag())


def plain_text(nodes: list) -> str:
    """The text of ``nodes`` without any code."""
    return "".join(
        node if isinstance(node, str) else plain_text(getattr(node, "children", []))
        for node in nodes
    )


def normalize_html(html: str) -> str:
    """``html`` serialised as this module serialises it (to compare two values)."""
    inline = parse_html(html)
    return to_html(inline.nodes, inline.codes)


def match_codes(source: Inline, target: Inline) -> Inline:
    """Renumber the target's codes with the source's ids, matching tag and attributes.

    For HTML typed in a sheet: the n-th ``<a href="x">`` of the target gets the id of the
    n-th ``<a href="x">`` of the source. Target codes without a counterpart get ids
    ``+1``, ``+2``… that :func:`check_codes` reports as not in the source.
    """
    available: dict[Code, list[str]] = {}
    for code_id, code in source.codes.items():
        available.setdefault(code, []).append(code_id)
    renamed: dict[str, str] = {}
    codes: dict[str, Code] = {}
    unmatched = 0
    for code_id, code in target.codes.items():
        ids = available.get(code)
        if ids:
            new_id = ids.pop(0)
        else:
            unmatched += 1
            new_id = f"+{unmatched}"
        renamed[code_id] = new_id
        codes[new_id] = code
    return Inline(_renumber(target.nodes, renamed), codes)


def _renumber(nodes: list, renamed: dict[str, str]) -> list:
    result = []
    for node in nodes:
        if isinstance(node, Span):
            result.append(Span(renamed[node.id], _renumber(node.children, renamed)))
        elif isinstance(node, Placeholder):
            result.append(Placeholder(renamed[node.id]))
        else:
            result.append(node)
    return result


# --- the check ----------------------------------------------------------------------------


def _positions(nodes: list, parent: str | None, found: dict[str, list]) -> None:
    for node in nodes:
        if isinstance(node, str):
            continue
        found.setdefault(node.id, []).append((parent, isinstance(node, Span)))
        if isinstance(node, Span):
            _positions(node.children, node.id, found)


def describe(code_id: str, codes: dict[str, Code]) -> str:
    """``tag <strong> (id 1)`` for messages (``tag <b>`` for a code only in the target)."""
    code = codes.get(code_id)
    if code is None:
        return f"inline code id {code_id}"
    tag = code.open_tag()
    tag = tag if len(tag) <= 80 else tag[:76] + '…">'
    return f"tag {tag}" if code_id.startswith("+") else f"tag {tag} (id {code_id})"


def check_codes(source: Inline, target: Inline) -> list[str]:
    """Why the target's codes do not match the source's (empty when they do).

    The target must use every source id exactly once, with the same kind (paired or
    empty) and inside the same parent code; the order of siblings may change.
    """
    expected: dict[str, list] = {}
    found: dict[str, list] = {}
    _positions(source.nodes, None, expected)
    _positions(target.nodes, None, found)
    names = {**target.codes, **source.codes}
    problems = []
    for code_id in expected:
        name = describe(code_id, names)
        places = found.get(code_id, [])
        if not places:
            problems.append(f"{name} is missing from the target")
        elif len(places) > 1:
            problems.append(f"{name} appears {len(places)} times in the target")
        elif places[0][1] != expected[code_id][0][1]:
            kind = "enclose text" if expected[code_id][0][1] else "be an empty tag"
            problems.append(f"{name} must {kind}, as in the source")
        elif places[0][0] != expected[code_id][0][0]:
            problems.append(f"{name} {_nesting(expected[code_id][0][0], names)}")
    problems.extend(
        f"{describe(code_id, names)} is not in the source"
        for code_id in found
        if code_id not in expected
    )
    return problems


def _nesting(parent: str | None, names: dict[str, Code]) -> str:
    if parent is None:
        return "is nested differently from the source: it must not be inside another tag"
    where = describe(parent, names)
    return f"is nested differently from the source: it must be directly inside {where}"


def rebuild_target(source: Inline, target: Inline) -> str:
    """The target's HTML from the source's codes; :class:`InlineError` if the codes differ."""
    problems = check_codes(source, target)
    if problems:
        raise InlineError("; ".join(problems))
    return to_html(target.nodes, source.codes)


def check_html_target(source_html: str, target_html: str) -> str:
    """The target HTML (typed by a person) checked against the source and rebuilt.

    Raises :class:`InlineError` naming every broken, missing, extra or mis-nested tag.
    """
    source = parse_html(source_html)
    target = match_codes(source, parse_html(target_html, strict=True))
    return rebuild_target(source, target)


@lru_cache(maxsize=1024)
def tag_of_ctype(ctype: str | None) -> str | None:
    """``x-html-strong`` → ``strong``; ``None`` for another ctype."""
    if ctype and ctype.startswith(CTYPE_PREFIX):
        tag = ctype[len(CTYPE_PREFIX) :]
        return tag if _TAG_NAME.fullmatch(tag) else None
    return None


@lru_cache(maxsize=256)
def code_of_native(native: str) -> Code | None:
    """The code of a native opening tag such as ``<a href="x">`` (2.0 original data)."""
    builder = _TreeBuilder()
    builder.feed(native)
    builder.close()
    code = builder.codes.get("1")
    return code if code is not None and _TAG_NAME.fullmatch(code.tag) else None


# --- XLIFF inline markup ------------------------------------------------------------------

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF20_NS = "urn:oasis:names:tc:xliff:document:2.0"
#: Namespace of the original HTML attributes on XLIFF 1.2 codes (``h:href="…"``).
HTML_ATTRS_NS = "urn:vitrine:xliff:html"
_TAG_NAME = re.compile(r"[a-z][a-z0-9]*")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
#: Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (for notes and attributes)."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def write_text(xf, text: str, version: str) -> None:
    """Write ``text``; characters XML cannot hold become ``<cp hex>`` (2.0) or are dropped."""
    if not _NOT_XML.search(text):
        xf.write(text)
        return
    position = 0
    for match in _NOT_XML.finditer(text):
        xf.write(text[position : match.start()])
        if version == "2.0":
            with xf.element(f"{{{XLIFF20_NS}}}cp", hex=f"{ord(match.group()):04X}"):
                pass
        position = match.end()
    xf.write(text[position:])


def write_inline_12(xf, nodes: list, codes: dict[str, Code], *, with_attributes: bool) -> None:
    """Write ``nodes`` as XLIFF 1.2 text, ``<g>`` and ``<x>`` through ``xf`` (an xmlfile)."""
    for node in nodes:
        if isinstance(node, str):
            write_text(xf, node, "1.2")
            continue
        code = codes[node.id]
        attrs = {"id": node.id, "ctype": CTYPE_PREFIX + code.tag}
        if with_attributes:
            attrs.update(
                {
                    f"{{{HTML_ATTRS_NS}}}{name}": xml_safe(value)
                    for name, value in code.attrs
                    if _ATTRIBUTE_NAME.fullmatch(name)
                }
            )
        if isinstance(node, Span):
            with xf.element(f"{{{XLIFF12_NS}}}g", attrs):
                write_inline_12(xf, node.children, codes, with_attributes=with_attributes)
        else:
            with xf.element(f"{{{XLIFF12_NS}}}x", attrs):
                pass


def original_data(codes: dict[str, Code]) -> list[tuple[str, str]]:
    """The XLIFF 2.0 ``<data>`` entries of ``codes``: ``(o1, "<a href=…>")``, ``(c1, "</a>")``."""
    entries = []
    for code_id, code in codes.items():
        entries.append((f"o{code_id}", code.open_tag()))
        if code.paired:
            entries.append((f"c{code_id}", code.close_tag()))
    return entries


def write_inline_20(xf, nodes: list, codes: dict[str, Code]) -> None:
    """Write ``nodes`` as XLIFF 2.0 text, ``<pc>`` and ``<ph>`` through ``xf``."""
    for node in nodes:
        if isinstance(node, str):
            write_text(xf, node, "2.0")
        elif isinstance(node, Span):
            refs = {"id": node.id, "dataRefStart": f"o{node.id}", "dataRefEnd": f"c{node.id}"}
            with xf.element(f"{{{XLIFF20_NS}}}pc", refs):
                write_inline_20(xf, node.children, codes)
        else:
            with xf.element(f"{{{XLIFF20_NS}}}ph", id=node.id, dataRef=f"o{node.id}"):
                pass


class _InlineReader:
    """Turn the content of an XLIFF ``<source>`` or ``<target>`` into an :class:`Inline`."""

    def __init__(self, version: str, data: dict[str, str] | None = None, *, source: bool):
        self.ns = XLIFF12_NS if version == "1.2" else XLIFF20_NS
        self.version = version
        self.data = data or {}
        self.source = source
        self.codes: dict[str, Code] = {}
        self.depth = 0

    def read(self, element) -> Inline:
        nodes: list = []
        self._content(element, nodes)
        return Inline(nodes, self.codes)

    def _content(self, element, nodes: list) -> None:
        _append_text(nodes, element.text)
        for child in element:
            self._child(child, nodes)
            _append_text(nodes, child.tail)

    def _child(self, child, nodes: list) -> None:
        name = _local(child.tag)
        if not isinstance(child.tag, str) or name == "mrk":
            # segments (``mtype="seg"``) and annotations: keep their content, drop the marker
            if isinstance(child.tag, str):
                self._content(child, nodes)
            return
        if child.tag.startswith("{") and not child.tag.startswith("{" + self.ns):
            raise InlineError(f"the element <{name}> of another namespace is not allowed here")
        if name == "cp" and self.version == "2.0":
            _append_text(nodes, _code_point(child.get("hex")))
            return
        paired = {"g": True, "x": False} if self.version == "1.2" else {"pc": True, "ph": False}
        if name not in paired:
            raise InlineError(
                f"the inline element <{name}> is not supported (use g and x)"
                if self.version == "1.2"
                else f"the inline element <{name}> is not supported (use pc and ph)"
            )
        code_id = child.get("id")
        if not code_id:
            raise InlineError(f"an inline <{name}> has no id")
        self.codes.setdefault(code_id, self._code(child, name, paired[name]))
        if paired[name]:
            span = Span(code_id)
            nodes.append(span)
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise InlineError(f"inline tags are nested more than {MAX_DEPTH} deep")
            self._content(child, span.children)
            self.depth -= 1
        else:
            if len(child) or child.text:
                raise InlineError(f'the empty inline <{name} id="{code_id}"> has content')
            nodes.append(Placeholder(code_id))

    def _code(self, child, name: str, paired: bool) -> Code:
        if self.version == "1.2":
            tag = tag_of_ctype(child.get("ctype"))
            attrs = tuple(
                (_local(key), value)
                for key, value in child.attrib.items()
                if key.startswith(f"{{{HTML_ATTRS_NS}}}")
            )
            if tag is None:
                if self.source:
                    raise InlineError(
                        f'the inline <{name} id="{child.get("id")}"> has no '
                        f"ctype of the form x-html-<tag>"
                    )
                tag = name
            return Code(tag, attrs, paired)
        ref = child.get("dataRefStart" if paired else "dataRef")
        code = code_of_native(self.data.get(ref, ""))
        if code is None or code.paired != paired:
            if self.source:
                raise InlineError(
                    f'the inline <{name} id="{child.get("id")}"> has no '
                    f"original data (dataRef) giving its HTML tag"
                )
            return Code(name, (), paired)
        return code


def read_inline(
    element, version: str, data: dict[str, str] | None = None, *, source: bool
) -> Inline:
    """The :class:`Inline` of an XLIFF ``<source>``/``<target>`` element.

    ``data`` is the 2.0 unit's original data by id. Source codes must say which HTML tag
    they stand for (1.2 ``ctype``, 2.0 original data); target codes need only their id.
    Raises :class:`InlineError` for an unsupported inline element.
    """
    return _InlineReader(version, data, source=source).read(element)


def _append_text(nodes: list, text: str | None) -> None:
    if not text:
        return
    if nodes and isinstance(nodes[-1], str):
        nodes[-1] += text
    else:
        nodes.append(text)


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _code_point(hex_value: str | None) -> str:
    try:
        return chr(int(hex_value or "", 16))
    except (ValueError, OverflowError):
        raise InlineError(f'<cp hex="{hex_value}"> is not a code point') from None
