"""``vitrine translations export|import``: files on disk, a dry run by default, exit codes."""

from lxml import etree
from sqlalchemy import func, select

from pim.models import Version

NS12 = "urn:oasis:names:tc:xliff:document:1.2"


def translate(path, text="T-shirt col rond"):
    """Fill every target as a translator would (the catalogue has plain-text units only)."""
    root = etree.parse(str(path)).getroot()
    for unit in root.iter(f"{{{NS12}}}trans-unit"):
        target = unit.find(f"{{{NS12}}}target")
        if target is None:
            target = etree.SubElement(unit, f"{{{NS12}}}target")
            unit.find(f"{{{NS12}}}source").addnext(target)
        target.text = text
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def versions(session):
    return session.scalar(select(func.count()).select_from(Version))


def test_export_then_import_dry_run_then_apply(catalog, cli_runner, tmp_path):
    session = catalog.session
    path = tmp_path / "fr.xlf"
    result = cli_runner.invoke(args=["translations", "export", "--to", "fr_FR", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 units, 1 items" in result.output
    translate(path)
    count = versions(session)

    dry = cli_runner.invoke(args=["translations", "import", str(path)])
    assert dry.exit_code == 0, dry.output
    assert "model/TS-CREW/name: ∅ → 'T-shirt col rond'" in dry.output
    assert "Dry run: nothing was written" in dry.output
    assert versions(session) == count

    applied = cli_runner.invoke(args=["translations", "import", str(path), "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "Written: 1 item changed." in applied.output
    crew = catalog.model("TS-CREW")
    session.refresh(crew)
    assert {"locale": "fr_FR", "scope": None, "data": "T-shirt col rond"} in crew.values["name"]
    assert versions(session) == count + 1

    again = cli_runner.invoke(args=["translations", "import", str(path), "--apply"])
    assert again.exit_code == 0 and "Nothing to change." in again.output
    assert versions(session) == count + 1


def test_export_several_locales_as_a_sheet_into_a_folder(catalog, cli_runner, tmp_path):
    args = ["translations", "export", "--to", "fr_FR", "--to", "de_DE", "--format", "csv"]
    result = cli_runner.invoke(args=[*args, "--attribute", "name", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "vitrine-translations-en_US.zip").exists()


def test_a_bad_export_request_is_one_clear_line(catalog, cli_runner, tmp_path):
    args = ["translations", "export", "--to", "xx_XX", "-o", str(tmp_path / "x.xlf")]
    result = cli_runner.invoke(args=args)
    assert result.exit_code == 1
    assert "The locale xx_XX is not activated in any channel." in result.output
    assert "Traceback" not in result.output


def test_refused_units_give_exit_code_1_and_write_nothing(catalog, cli_runner, tmp_path):
    session = catalog.session
    path = tmp_path / "fr.xlf"
    cli_runner.invoke(args=["translations", "export", "--to", "fr_FR", "-o", str(path)])
    translate(path, "x" * 81)  # the name's maximum is 80
    count = versions(session)

    result = cli_runner.invoke(args=["translations", "import", str(path), "--apply"])

    assert result.exit_code == 1
    assert "model/TS-CREW/name" in result.output and "maximum is 80" in result.output
    assert "Nothing was written" in result.output
    assert versions(session) == count


def test_import_as_a_translator_of_other_locales_is_refused(
    catalog, cli_runner, tmp_path, make_user
):
    translator = make_user(role="translator")
    translator.locales = ["de_DE"]
    path = tmp_path / "fr.xlf"
    cli_runner.invoke(args=["translations", "export", "--to", "fr_FR", "-o", str(path)])
    translate(path)

    args = ["translations", "import", str(path), "--apply", "--as", translator.email]
    result = cli_runner.invoke(args=args)
    assert result.exit_code == 1 and "You do not translate into fr_FR" in result.output

    unknown = cli_runner.invoke(args=["translations", "import", str(path), "--as", "no@x.org"])
    assert unknown.exit_code == 1 and "no@x.org" in unknown.output
