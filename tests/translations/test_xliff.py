"""XLIFF 1.2 and 2.0: round trips, files as CAT tools write them, and hostile input."""

import io
import socket
from dataclasses import replace

import pytest
from lxml import etree

from pim.translations.units import (
    TranslationFile,
    TranslationUnit,
    UnitKey,
    max_length_problem,
    parse_unit_id,
    unit_id,
)
from pim.translations.xliff import OLD_TARGET_NOTE, XliffError, read_xliff, write_xliff

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
RICH = (
    '<p>Soft <strong>organic</strong> cotton &amp; <a href="https://shop.example/care?a=1&amp;b=2">'
    "care</a>.<br>Size &lt;M&gt;</p><ul><li>one</li><li>two</li></ul>"
)
RICH_FR = (
    '<p>Coton <strong>bio</strong> &amp; doux. <a href="https://shop.example/care?a=1&amp;b=2">'
    "Entretien</a><br>Taille &lt;M&gt;</p><ul><li>deux</li><li>un</li></ul>"
)
ODD_KEYS = ["TS-CREW-RED-S", "a/b c", "50% off@sale", "caf\u00e9-\u65e5\u672c", "x%2Fy", "~._-"]


def unit(key="TS-CREW-RED-S", attribute="name", **fields):
    values = {
        "item_kind": "product",
        "item_key": key,
        "attribute": attribute,
        "scope": None,
        "source_locale": "en_US",
        "target_locale": "fr_FR",
        "source": "Crew neck T-shirt",
    }
    values.update(fields)
    return TranslationUnit(**values)


def sample_units():
    return [
        unit(notes=["Product: Crew T-shirt", "Attribute: Name"], max_length=60),
        unit(
            "TS-CREW",
            "description",
            item_kind="model",
            scope="ecommerce",
            source=RICH,
            target=RICH_FR,
            rich=True,
            state="translated",
        ),
        unit(
            ODD_KEYS[1],
            "name",
            source="  A & B <not a tag> \u00e9\u00e8 \U0001f600\r\n line 2 ",
            target="  A & B <pas une balise>\n",
            state="needs-review",
        ),
        unit(ODD_KEYS[2], "title@x", scope="print/eu", source="x", target="y", state="final"),
        unit(ODD_KEYS[3], "name", source="\u65e5\u672c\u8a9e", target="", rich=False),
        unit(ODD_KEYS[4], "name", source="<b>bold</b> in plain text", target="<b>gras</b>"),
    ]


def written(units, version="1.2", **file_fields) -> bytes:
    out = io.BytesIO()
    write_xliff(TranslationFile("en_US", "fr_FR", units, **file_fields), out, version)
    return out.getvalue()


def read_back(units, version="1.2"):
    result = read_xliff(written(units, version))
    assert result.problems == []
    return result


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_units_come_back_as_they_were_written(version):
    units = sample_units()

    result = read_back(units, version)

    expected = [replace(u, target=u.target or None) for u in units]
    expected[4].state = "new"  # an empty target is no target
    assert result.units == expected
    assert (result.source_locale, result.target_locale) == ("en_US", "fr_FR")


@pytest.mark.parametrize("key", ODD_KEYS)
def test_unit_ids_round_trip_any_identifier(key):
    for scope in (None, "ecommerce", "a/b@c"):
        key_ = UnitKey("product", key, "name", scope)
        text = unit_id(key_)

        assert parse_unit_id(text) == key_
        assert " " not in text and text.count("/") == 2 and text.count("@") == (scope is not None)


def test_unit_ids_are_readable_and_encoded():
    assert unit_id(UnitKey("product", "TS-CREW-RED-S", "name")) == "product/TS-CREW-RED-S/name"
    assert (
        unit_id(UnitKey("model", "a/b c", "description", "ecommerce"))
        == "model/a%2Fb%20c/description@ecommerce"
    )
    assert unit_id(UnitKey("product", "caf\u00e9", "n@me")) == "product/caf%C3%A9/n%40me"


@pytest.mark.parametrize(
    "text",
    [
        "product/a/b/c",
        "variant/a/name",
        "product//name",
        "product/a/name@",
        "product/a b/name",
        "product/a%2fb/name",
        "product/a%ZZ/name",
        "product/%C3/name",
        "product/a/name@x@y",
    ],
)
def test_bad_unit_ids_are_refused(text):
    with pytest.raises(ValueError):
        parse_unit_id(text)


def test_xliff_12_output_has_the_expected_shape():
    root = etree.fromstring(written(sample_units()[:2]))
    ns = {"x": NS12}

    assert root.tag == f"{{{NS12}}}xliff" and root.get("version") == "1.2"
    file = root.find("x:file", ns)
    assert file.get("source-language") == "en-US" and file.get("target-language") == "fr-FR"
    assert file.get("datatype") == "html" and file.get("original") == "vitrine"
    first, second = root.iterfind(".//x:trans-unit", ns)
    assert first.get("id") == first.get("resname") == "product/TS-CREW-RED-S/name"
    assert (first.get("maxwidth"), first.get("size-unit")) == ("60", "char")
    assert first.find("x:target", ns) is None
    assert [n.text for n in first.iterfind("x:note", ns)][-1] == "Maximum length: 60 characters."
    assert second.get("id") == "model/TS-CREW/description@ecommerce"
    assert second.find("x:target", ns).get("state") == "translated"
    link = second.find("x:source//x:g[@ctype='x-html-a']", ns)
    assert link.get("{urn:vitrine:xliff:html}href") == "https://shop.example/care?a=1&b=2"
    assert link.text == "care"  # the URL is not in the translatable text
    assert second.find("x:source//x:x", ns).get("ctype") == "x-html-br"


def test_xliff_20_output_has_the_expected_shape():
    root = etree.fromstring(written(sample_units()[:2], "2.0"))
    ns = {"x": NS20}

    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == (
        "2.0",
        "en-US",
        "fr-FR",
    )
    first, second = root.iterfind(".//x:unit", ns)
    assert first.get("id") == "u1" and first.get("name") == "product/TS-CREW-RED-S/name"
    assert first.get("{urn:oasis:names:tc:xliff:sizerestriction:2.0}sizeRestriction") == "60"
    assert second.find("x:segment", ns).get("state") == "translated"
    data = {d.get("id"): d.text for d in second.iterfind("x:originalData/x:data", ns)}
    link = second.find("x:segment/x:source//x:pc[@id='3']", ns)
    assert data[link.get("dataRefStart")] == '<a href="https://shop.example/care?a=1&amp;b=2">'
    assert data[link.get("dataRefEnd")] == "</a>"


def test_the_writer_streams_a_generator_and_counts_units():
    consumed = []

    def units():
        for index in range(500):
            consumed.append(index)
            yield unit(f"SKU-{index}")

    out = io.BytesIO()
    count = write_xliff(TranslationFile("en_US", "de_DE", units()), out, "2.0")

    assert count == 500 and len(consumed) == 500
    assert len(read_xliff(out.getvalue()).units) == 500


def test_an_existing_target_with_other_tags_goes_to_a_note():
    broken = unit(source="<p><b>x</b></p>", target="<p>y</p>", rich=True, state="translated")

    (result,) = read_back([broken]).units

    assert result.target is None
    assert result.notes == [OLD_TARGET_NOTE + "<p>y</p>"]


def test_characters_xml_cannot_hold():
    value = unit(source="bell\x07 and tab\t")

    assert read_back([value], "2.0").units[0].source == "bell\x07 and tab\t"
    assert read_back([value], "1.2").units[0].source == "bell and tab\t"


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_control_characters_in_notes_and_attributes_do_not_break_the_file(version):
    value = unit(source='<a href="/x\x01y">z</a>', rich=True, notes=["bell\x07"])

    (result,) = read_back([value], version).units

    assert result.notes == ["bell"]
    assert result.source == '<a href="/xy">z</a>'


def test_absurdly_nested_html_is_refused_clearly_both_ways():
    deep = "<span>" * 150 + "x" + "</span>" * 150
    with pytest.raises(ValueError, match="product/TS-CREW-RED-S/name: the source cannot be"):
        write_xliff(TranslationFile("en_US", "fr_FR", [unit(source=deep, rich=True)]), io.BytesIO())

    nested = "<g id='1' ctype='x-html-b'>" * 150 + "x" + "</g>" * 150
    (problem,) = read_xliff(file_12(tu("product/A/name", source=nested))).problems
    assert "nested more than 100 deep" in problem.message


def test_write_refuses_an_unknown_version():
    with pytest.raises(ValueError, match="1.2 or 2.0"):
        write_xliff(TranslationFile("en_US", "fr_FR", []), io.BytesIO(), "1.1")


# --- files from CAT tools -------------------------------------------------------------------

CAT_12 = """<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a CAT tool -->
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"
       xmlns:h="urn:vitrine:xliff:html" xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0">
  <file original="vitrine" source-language="en-US" target-language="fr-FR" datatype="html">
    <header><tool tool-id="memoq" tool-name="memoQ"/></header>
    <body>
      <group id="g1">
        <trans-unit id="product/TS-1/description" datatype="html" xml:space="preserve">
          <source><g id="1" ctype="x-html-p">One. <g id="2" ctype="x-html-a"
            h:href="/care">Two</g>.</g></source>
          <seg-source><g id="1" ctype="x-html-p"><mrk mtype="seg" mid="1">One.</mrk> <mrk
            mtype="seg" mid="2"><g id="2" ctype="x-html-a" h:href="/care">Two</g>.</mrk></g
          ></seg-source>
          <target state="final"><g id="1" ctype="x-html-p"><mrk mtype="seg" mid="1">Un.</mrk> <mrk
            mtype="seg" mid="2"><g id="2" ctype="x-html-a"
            h:href="https://evil.example/">Deux</g>.</mrk></g></target>
          <note>Product: T-shirt 1</note>
          <note from="reviewer">Check the tone</note>
          <alt-trans match-quality="80%"><source>One.</source><target>Une.</target></alt-trans>
          <sdl:seg-defs/>
        </trans-unit>
      </group>
      <trans-unit id="product/TS-1/name" datatype="plaintext" approved="yes">
        <source>  Tee  &amp; co  </source>
        <target state="signed-off">  T-shirt  &amp; cie  </target>
      </trans-unit>
      <trans-unit id="product/TS-2/name" datatype="plaintext">
        <source>Tee</source>
        <target state="needs-review-translation">T-shirt</target>
      </trans-unit>
      <trans-unit id="product/TS-3/name" datatype="plaintext">
        <source>Tee</source>
        <target>T-shirt</target>
      </trans-unit>
      <trans-unit id="product/TS-4/name" datatype="plaintext">
        <source>Tee</source>
        <target state="new"/>
      </trans-unit>
    </body>
  </file>
</xliff>
"""


def test_a_cat_tool_12_file_is_read():
    result = read_xliff(CAT_12.encode())

    assert result.problems == []
    assert result.tool == "memoQ"
    by_id = {u.id: u for u in result.units}
    description = by_id["product/TS-1/description"]
    assert description.source == '<p>One. <a href="/care">Two</a>.</p>'
    assert description.target == '<p>Un. <a href="/care">Deux</a>.</p>'  # source's href
    assert description.state == "final" and description.rich
    assert description.notes == ["Product: T-shirt 1", "Check the tone"]
    assert by_id["product/TS-1/name"].target == "  T-shirt  & cie  "
    assert by_id["product/TS-1/name"].state == "final"
    assert by_id["product/TS-2/name"].state == "needs-review"
    assert by_id["product/TS-3/name"].state == "translated"
    assert by_id["product/TS-4/name"].target is None
    assert by_id["product/TS-4/name"].state == "new"


CAT_20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en-US" trgLang="de-DE">
  <file id="f1">
    <unit id="product/TS-1/description" type="vitrine:html">
      <originalData><data id="d1">&lt;b&gt;</data><data id="d2">&lt;/b&gt;</data></originalData>
      <segment state="final"><source>One <pc id="1" dataRefStart="d1"
        dataRefEnd="d2">bold</pc>.</source>
        <target>Eins <pc id="1" dataRefStart="d1" dataRefEnd="d2">fett</pc>.</target></segment>
      <ignorable><source> </source></ignorable>
      <segment state="translated"><source>Two<cp hex="0007"/>.</source><target>Zwei.</target
      ></segment>
    </unit>
  </file>
</xliff>
"""


def test_a_segmented_20_file_is_read():
    result = read_xliff(CAT_20.encode())

    assert result.problems == []
    (only,) = result.units
    assert only.source == "One <b>bold</b>. Two\x07."
    assert only.target == "Eins <b>fett</b>. Zwei."
    assert only.state == "translated"  # the least advanced segment
    assert result.target_locale == "de_DE"


def test_20_segments_untranslated_or_half_translated():
    data = f"""<xliff xmlns="{NS20}" version="2.0" srcLang="en" trgLang="de"><file id="f">
      <unit id="u1" name="product/A/name"><segment><source>One.</source></segment>
        <ignorable><source> </source></ignorable><segment><source>Two.</source></segment></unit>
      <unit id="u2" name="product/B/name"><segment><source>One.</source><target>Eins.</target>
        </segment><segment><source>Two.</source></segment></unit>
    </file></xliff>"""

    result = read_xliff(data.encode())

    (only,) = result.units
    assert (only.source, only.target, only.state) == ("One. Two.", None, "new")
    (problem,) = result.problems
    assert problem.unit_id == "product/B/name"
    assert problem.message == "some segments have a <target> and others not"


# --- unit problems --------------------------------------------------------------------------


def file_12(*units: str, target="fr-FR") -> bytes:
    body = "".join(units)
    return (
        f'<xliff version="1.2" xmlns="{NS12}"><file original="x" source-language="en-US" '
        f'target-language="{target}" datatype="html"><body>{body}</body></file></xliff>'
    ).encode()


def tu(
    uid,
    source="<g id='1' ctype='x-html-b'>bold</g> <x id='2' ctype='x-html-br'/>",
    target=None,
    extra="",
):
    attrs = f' id="{uid}"' if uid is not None else ""
    target_xml = f"<target>{target}</target>" if target is not None else ""
    start = f'<trans-unit{attrs} datatype="html"{extra}>'
    return f"{start}<source>{source}</source>{target_xml}</trans-unit>"


GOOD_TARGET = "<x id='2'/><g id='1'>gras</g>"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("<g id='1'>gras</g>", "tag <br> (id 2) is missing from the target"),
        (GOOD_TARGET + "<x id='3'/>", "tag <x> (id 3) is not in the source"),
        ("<g id='7'>gras</g><x id='2'/>", "tag <b> (id 1) is missing from the target"),
        ("<x id='1'/><x id='2'/>", "tag <b> (id 1) must enclose text"),
        ("<g id='1'>gras <x id='2'/></g>", "tag <br> (id 2) is nested differently"),
        ("<g id='1'>a</g><g id='1'>b</g><x id='2'/>", "tag <b> (id 1) appears 2 times"),
        ("<bpt id='1'>&lt;b&gt;</bpt>gras<x id='2'/>", "inline element <bpt> is not supported"),
        ("<g ctype='x-html-b'>gras</g><x id='2'/>", "an inline <g> has no id"),
    ],
)
def test_broken_inline_tags_are_reported_per_unit(target, message):
    data = file_12(
        tu("product/A/description", target=target), tu("product/B/description", target=GOOD_TARGET)
    )

    result = read_xliff(data)

    (problem,) = result.problems
    assert problem.unit_id == "product/A/description"
    assert message in problem.message
    assert problem.line == 1
    assert [u.id for u in result.units] == ["product/B/description"]
    assert result.units[0].target == "<br><b>gras</b>"


def test_duplicate_missing_and_bad_ids_are_reported_and_the_rest_is_read():
    data = file_12(
        tu("product/A/name", target=GOOD_TARGET),
        tu(None, target=GOOD_TARGET),
        tu("product/A/name", target=GOOD_TARGET),
        tu("product/B/name", target=GOOD_TARGET),
        tu("sku-without-kind", target=GOOD_TARGET),
        tu("product/A/name", target=GOOD_TARGET),
    )

    result = read_xliff(data)

    assert [u.id for u in result.units] == ["product/B/name"]
    assert [(p.unit_id, p.message) for p in result.problems] == [
        (None, "a <trans-unit> has no id"),
        ("product/A/name", "the id is used by more than one unit"),
        (
            "sku-without-kind",
            "unit id 'sku-without-kind' is not of the form kind/item/attribute[@scope]",
        ),
        ("product/A/name", "the id is used by more than one unit"),
    ]


def test_a_target_over_the_maximum_length_is_reported():
    data = file_12(
        '<trans-unit id="product/A/name" datatype="plaintext" maxwidth="5" size-unit="char">'
        "<source>Tee</source><target>T-shirt</target></trans-unit>"
    )

    result = read_xliff(data)

    assert result.units == []
    assert result.problems[0].message == "target is 7 characters long, the maximum is 5"
    assert max_length_problem(unit(target="T-shirt", max_length=7)) is None


def test_inline_tags_in_a_plain_text_unit_are_refused():
    data = file_12(
        '<trans-unit id="product/A/name" datatype="plaintext"><source>Tee</source>'
        "<target><g id='1' ctype='x-html-b'>T</g></target></trans-unit>"
    )

    (problem,) = read_xliff(data).problems
    assert "plain-text value cannot have inline tags" in problem.message


def test_reading_the_same_file_twice_gives_the_same_units():
    data = written(sample_units())

    assert read_xliff(data) == read_xliff(io.BytesIO(data))


# --- hostile and broken files ---------------------------------------------------------------


def refused(data: bytes) -> XliffError:
    with pytest.raises(XliffError) as caught:
        read_xliff(data, name="agency.xlf")
    assert 'The file "agency.xlf"' in str(caught.value)
    return caught.value


def test_an_external_entity_to_a_local_file_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    ).encode() + file_12(tu("product/A/name", source="&xxe;"))

    error = refused(data)

    assert "DTD" in str(error) and error.line == 2
    assert "TOP-SECRET" not in str(error)


def test_an_external_entity_to_the_network_is_refused_without_connecting():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        data = (
            f'<!DOCTYPE xliff SYSTEM "http://127.0.0.1:{port}/x.dtd" '
            f'[<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/e">%remote;]>'
        ).encode() + file_12(tu("product/A/name"))

        refused(data)

        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


def test_billion_laughs_is_refused():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    data = f"<!DOCTYPE xliff [{entities}]>".encode() + file_12(
        tu("product/A/name", source="&lol9;")
    )

    assert "DTD" in str(refused(data))


def test_any_doctype_is_refused_even_after_a_long_prolog_or_in_utf16():
    plain = b'<?xml version="1.0"?><!DOCTYPE xliff>' + file_12(tu("product/A/name"))
    long_prolog = (
        b"<!--" + b"x" * 70_000 + b"-->" + b"<!DOCTYPE xliff>" + file_12(tu("product/A/name"))
    )
    utf16 = ("<!DOCTYPE xliff>" + file_12(tu("product/A/name")).decode()).encode("utf-16")

    for data in (plain, long_prolog, utf16):
        assert "DTD" in str(refused(data))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"  \n ", "is empty"),
        (b"id,source\n1,x\n", "is not well-formed XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "is not well-formed XML"),
        (file_12(tu("product/A/name"))[:-30], "is not well-formed XML"),
        (b'<xliff version="1.2"><file/></xliff>', "without a namespace"),
        (
            b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.1" version="1.1"/>',
            "is not an XLIFF file",
        ),
        (f'<tmx xmlns="{NS12}" version="1.2"/>'.encode(), "its root element is <tmx>"),
        (file_12().replace(b'version="1.2"', b'version="1.1"'), 'declares version="1.1"'),
        (
            f'<xliff xmlns="{NS20}" version="3.0" srcLang="en" trgLang="fr"/>'.encode(),
            'version="3.0"',
        ),
        (f'<xliff xmlns="{NS20}" version="1.2"/>'.encode(), "uses the XLIFF 2.0 namespace"),
        (
            file_12().replace(b"<body>", f'<body><unit xmlns="{NS20}" id="u"/>'.encode()),
            "mixes XLIFF versions",
        ),
        (file_12(target=""), "has no target-language"),
        (file_12(target="fr FR"), "has a bad language"),
        (f'<xliff xmlns="{NS12}" version="1.2"/>'.encode(), "has no <file> element"),
    ],
)
def test_broken_files_are_refused_with_a_clear_message(data, message):
    assert message in str(refused(data))


def test_truncated_xml_names_the_line():
    data = written(sample_units()).replace(b"><", b">\n<")

    error = refused(data[: len(data) // 2])

    assert error.line and error.line > 1


def test_files_for_different_languages_are_refused_and_same_languages_merged():
    languages = 'source-language="en-US" target-language="fr-FR"'
    one = f"<file {languages}><body>{tu('product/A/name', target=GOOD_TARGET)}</body></file>"
    two = one.replace("product/A", "product/B")
    other = two.replace("fr-FR", "de-DE")
    merged = read_xliff(f'<xliff xmlns="{NS12}" version="1.2">{one}{two}</xliff>'.encode())

    assert [u.id for u in merged.units] == ["product/A/name", "product/B/name"]
    assert "different languages" in str(
        refused(f'<xliff xmlns="{NS12}" version="1.2">{one}{other}</xliff>'.encode())
    )


def test_a_utf16_file_is_read():
    text = file_12(tu("product/A/name", source="T\u00e9e", target="T\u00e9")).decode()
    data = ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")

    (only,) = read_xliff(data).units

    assert (only.source, only.target) == ("T\u00e9e", "T\u00e9")
