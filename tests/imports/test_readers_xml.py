"""XML import reader: record paths, streaming, and refusal of DTDs, entities and bad XML."""

import time

import pytest

from pim.imports.readers import ReaderOptions, ReadError, detect_format, open_table, sample

CATALOG = """<?xml version="1.0" encoding="UTF-8"?>
<!-- supplier feed -->
<catalog xmlns="urn:example:catalog" xmlns:x="urn:example:extra">
  <header><generated>2024-05-01</generated></header>
  <product id="TS-1" x:status="new">
    <name>  Basic tee </name>
    <description>
      Soft cotton, "airy" &amp; light.
    </description>
    <price currency="EUR"><amount>19.90</amount></price>
    <images>
      <image>front.jpg</image>
      <image>back.jpg</image>
    </images>
    <x:care><![CDATA[<b>30°</b> wash]]></x:care>
    <ean/>
  </product>
  <product id="TS-2">
    <name>Dress</name>
    <images><image>only.jpg</image></images>
    <size>S</size>
  </product>
</catalog>
"""


def write(tmp_path, text: str | bytes, name="feed.xml"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def read_all(path, record_tag="product", **options):
    options = ReaderOptions(record_tag=record_tag, **options)
    with open_table(path, options, display_name="supplier.xml") as reader:
        rows = list(reader)
        return reader.columns, rows


def error_of(path, **options) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_all(path, **options)
    return caught.value


def test_records_become_rows_keyed_by_path(tmp_path):
    columns, rows = read_all(write(tmp_path, CATALOG))
    assert [row.line for row in rows] == [5, 18]
    assert rows[0].cells == {
        "@id": "TS-1",
        "@status": "new",
        "name": "  Basic tee ",
        "description": 'Soft cotton, "airy" & light.',
        "price/@currency": "EUR",
        "price/amount": "19.90",
        "images/image": ["front.jpg", "back.jpg"],
        "care": "<b>30°</b> wash",
        "ean": "",
    }
    assert rows[1].cells == {
        "@id": "TS-2",
        "name": "Dress",
        "images/image": "only.jpg",
        "size": "S",
    }
    assert columns == [
        "@id",
        "@status",
        "name",
        "description",
        "price/@currency",
        "price/amount",
        "images/image",
        "care",
        "ean",
        "size",
    ]
    assert all(row.problems == () for row in rows)


def test_sample_columns_are_the_paths_of_the_first_records(tmp_path):
    columns, rows = sample(write(tmp_path, CATALOG), ReaderOptions(record_tag="product"), rows=1)
    assert [row.cells["@id"] for row in rows] == ["TS-1"]
    assert "size" not in columns


def test_root_element_can_be_the_record(tmp_path):
    _, rows = read_all(write(tmp_path, '<product id="1"><name>Tee</name></product>'))
    assert [(row.line, row.cells) for row in rows] == [(1, {"@id": "1", "name": "Tee"})]


def test_a_cell_over_the_limit_is_a_row_problem(tmp_path):
    text = (
        f"<c><product><sku>1</sku><d>{'x' * 500}</d></product><product><sku>2</sku></product></c>"
    )
    _, rows = read_all(write(tmp_path, text), max_cell_chars=100)
    assert [(p.column, p.reason) for p in rows[0].problems] == [
        ("d", "is 500 characters long, more than the limit of 100")
    ]
    assert rows[1].problems == ()


def test_many_records_stream_and_keep_line_numbers(tmp_path):
    records = "".join(f"<product><sku>TS-{n}</sku>\n</product>\n" for n in range(20_000))
    path = write(tmp_path, f"<catalog>\n{records}</catalog>\n")
    with open_table(path, ReaderOptions(record_tag="product")) as reader:
        lines = []
        for row in reader:
            lines.append(row.line)
            if len(lines) == 10_000:
                assert 0.3 < reader.progress() < 0.7
        assert reader.progress() == 1.0
    assert lines[:2] == [2, 4]
    assert lines[-1] == 40_000


# --- refusals ---------------------------------------------------------------------------

DTD_MESSAGE = (
    'The file "supplier.xml" (line 2) declares a DTD (<!DOCTYPE …>); DTDs and entity '
    "declarations are not accepted. Remove the <!DOCTYPE …> declaration and upload the "
    "file again."
)


def billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE catalog [{"".join(entities)}]>\n'
        "<catalog><product><name>&lol9;</name></product></catalog>"
    )


def test_billion_laughs_is_refused_fast(tmp_path):
    started = time.monotonic()
    assert str(error_of(write(tmp_path, billion_laughs()))) == DTD_MESSAGE
    assert time.monotonic() - started < 1


def test_external_entity_never_leaks_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4242")
    path = write(
        tmp_path,
        f'<?xml version="1.0"?>\n<!DOCTYPE catalog [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        "<catalog><product><name>&x;</name></product></catalog>",
    )
    error = error_of(path)
    assert str(error) == DTD_MESSAGE
    assert "TOP-SECRET" not in repr(error.__dict__) + str(error.__cause__)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE catalog [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
        '<!DOCTYPE catalog SYSTEM "http://127.0.0.1:9/catalog.dtd">',
        '<!DOCTYPE catalog PUBLIC "-//X//DTD X//EN" "http://example.invalid/x.dtd">',
        "<!DOCTYPE catalog [<!ELEMENT catalog ANY>]>",
        "<!DOCTYPE catalog>",
    ],
    ids=["parameter-entity", "external-dtd", "public-dtd", "internal-subset", "plain"],
)
def test_every_doctype_is_refused(tmp_path, doctype):
    text = f'<?xml version="1.0"?>\n{doctype}\n<catalog><product><n>1</n></product></catalog>'
    assert str(error_of(write(tmp_path, text))) == DTD_MESSAGE


def test_doctype_after_comments_and_in_utf16_is_refused(tmp_path):
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<!-- a\nb -->\n<!DOCTYPE c>\n<c/>'
    error = error_of(write(tmp_path, text.encode("utf-16")))
    assert error.line == 4
    assert "DTDs and entity declarations are not accepted" in str(error)


def test_doctype_after_a_long_prolog_is_refused_by_the_parser_check(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4242")
    text = (
        f"<!--{'x' * 70_000}-->\n"
        f'<!DOCTYPE c [<!ENTITY s SYSTEM "file://{secret}">]>\n'
        "<c><product><n>&s;</n></product></c>"
    )
    error = error_of(write(tmp_path, text))
    assert "DTDs and entity declarations are not accepted" in str(error)
    assert "TOP-SECRET" not in str(error)


def test_doctype_text_inside_a_record_is_only_text(tmp_path):
    text = "<c><product><d><![CDATA[<!DOCTYPE html><p>Hi</p>]]></d></product></c>"
    _, rows = read_all(write(tmp_path, text))
    assert rows[0].cells == {"d": "<!DOCTYPE html><p>Hi</p>"}


def test_undeclared_entity_is_malformed(tmp_path):
    error = error_of(write(tmp_path, "<c>\n<product><n>&x;</n></product></c>"))
    assert error.line == 2
    assert "is not well-formed XML" in str(error)


def test_unclosed_tag_names_the_line(tmp_path):
    text = "<catalog>\n<product>\n<name>Tee</nam>\n</product>\n</catalog>\n"
    assert str(error_of(write(tmp_path, text))) == (
        'The file "supplier.xml" (line 3) is not well-formed XML at character 16: Opening and '
        "ending tag mismatch: name line 3 and nam. Fix the file and upload it again."
    )


def test_truncated_file_fails_after_the_complete_records(tmp_path):
    path = write(tmp_path, "<catalog>\n<product><n>1</n></product>\n<product><n>2")
    seen = []
    reader = open_table(path, ReaderOptions(record_tag="product"))
    with pytest.raises(ReadError) as caught:
        seen.extend(row.cells["n"] for row in reader)
    assert seen == ["1"]
    assert caught.value.line == 3
    assert "is not well-formed XML" in str(caught.value)


def test_record_tag_is_required(tmp_path):
    error = error_of(write(tmp_path, CATALOG), record_tag=None)
    assert str(error) == (
        'The file "supplier.xml" cannot be read: no record element is set in the import '
        "profile (the name of the element that holds one product, for example product)."
    )


def test_no_record_found(tmp_path):
    error = error_of(write(tmp_path, CATALOG), record_tag="item")
    assert str(error) == (
        'The file "supplier.xml" has no records: no <item> elements found. Check the record '
        "element set in the import profile."
    )


def test_empty_or_junk_file(tmp_path):
    assert str(error_of(write(tmp_path, b""))) == (
        'The file "supplier.xml" is empty; it should hold <product> elements.'
    )
    assert str(error_of(write(tmp_path, b"sku,name\n"))) == (
        'The file "supplier.xml" (line 1) is not well-formed XML at character 1: Start tag '
        "expected, '<' not found. Fix the file and upload it again."
    )


# --- format detection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("upload.tmp", b"PK\x03\x04rest", "xlsx"),
        ("upload.tmp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xlsx"),
        ("upload.tmp", b'\xef\xbb\xbf\n  <?xml version="1.0"?><a/>', "xml"),
        ("upload.tmp", "<a/>".encode("utf-16"), "xml"),
        ("upload.tmp", b"  \n<catalog/>", "xml"),
        ("feed.XML", b"not xml at all", "xml"),
        ("book.xlsx", b"", "xlsx"),
        ("data.txt", b"sku;name\n", "csv"),
        ("noext", b"sku,name\n", "csv"),
    ],
)
def test_detect_format(tmp_path, name, data, expected):
    assert detect_format(write(tmp_path, data, name=name)) == expected
