"""The translation export and import pages: download a file to translate, upload it back,
read the dry-run report, apply it once."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from pim.models import Version
from pim.translations.xliff import read_xliff, write_xliff

EXPORT = "/translations/export"
IMPORT = "/translations/import"


def _download(client, **form):
    data = {"target_locales": "fr_FR", "format": "xliff12", **form}
    return client.post(EXPORT, data=data)


def _translated(data: bytes, text: str, *, key: str = "TS-CREW") -> bytes:
    """The exported file with the model's name translated (under another key if asked)."""
    file = read_xliff(data)
    for unit in file.units:
        if unit.id == "model/TS-CREW/name":
            unit.target = text
            unit.item_key = key
    out = io.BytesIO()
    write_xliff(file, out)
    return out.getvalue()


def _upload(client, data: bytes, name: str = "fr.xlf"):
    form = {"file": (io.BytesIO(data), name)}
    return client.post(IMPORT, data=form, content_type="multipart/form-data")


def _name_fr(catalog):
    values = catalog.model("TS-CREW").values.get("name", [])
    return next((v["data"] for v in values if v["locale"] == "fr_FR"), None)


def test_the_export_form_takes_the_grid_selection_and_downloads_xliff(logged_in_client, catalog):
    client = logged_in_client("editor")
    row = catalog.product("TS-CREW-RED-S").id  # a ticked row of the grid
    page = client.get(f"{EXPORT}?ids=TS-CREW&id={row}&q=crew&to=fr_FR").get_data(as_text=True)
    assert ">TS-CREW\nTS-CREW-RED-S</textarea>" in page
    assert 'name="q" type="search" value="crew"' in page
    assert re.search(r'value="fr_FR" checked', page)

    response = _download(client, identifiers="TS-CREW", attributes="name")
    assert response.status_code == 200
    assert response.mimetype == "application/x-xliff+xml"
    assert "vitrine-translations-en_US-fr_FR.xlf" in response.headers["Content-Disposition"]
    file = read_xliff(response.data)
    assert (file.source_locale, file.target_locale) == ("en_US", "fr_FR")
    assert [unit.id for unit in file.units] == ["model/TS-CREW/name"]


def test_a_translator_exports_only_their_locales(logged_in_client, catalog, db_session):
    client = logged_in_client("translator")
    client.user.locales = ["de_DE"]
    db_session.flush()
    page = client.get(EXPORT).get_data(as_text=True)
    assert 'value="de_DE"' in page and 'id="target-fr_FR"' not in page
    refused = _download(client)
    assert refused.status_code == 403
    assert "fr_FR" in refused.get_data(as_text=True)


def test_import_shows_the_changes_then_apply_stores_them_once(
    logged_in_client, catalog, db_session
):
    client = logged_in_client("editor")
    data = _translated(_download(client).data, "T-shirt col rond")

    report = _upload(client, data)
    page = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "model/TS-CREW/name" in page and "T-shirt col rond" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    db_session.expire_all()
    assert _name_fr(catalog) is None

    applied = client.post(f"{IMPORT}/apply", data={"token": token}, follow_redirects=True)
    assert "1 translation of fr.xlf stored." in applied.get_data(as_text=True)
    db_session.expire_all()
    assert _name_fr(catalog) == "T-shirt col rond"
    versions = select(func.count()).select_from(Version)
    count = db_session.scalar(versions)

    again = client.post(f"{IMPORT}/apply", data={"token": token}, follow_redirects=True)
    assert "Nothing changed" in again.get_data(as_text=True)
    assert db_session.scalar(versions) == count


def test_a_bad_file_is_refused_naming_the_unit_or_the_file(logged_in_client, catalog):
    client = logged_in_client("editor")
    data = _translated(_download(client).data, "T-shirt col rond", key="GONE")
    report = _upload(client, data)
    page = report.get_data(as_text=True)
    assert report.status_code == 422
    assert "model/GONE/name" in page and "GONE" in page
    assert 'name="token"' not in page  # nothing to apply

    broken = _upload(client, b"<xliff version='1.2'>", name="broken.xlf")
    assert broken.status_code == 422
    assert "broken.xlf" in broken.get_data(as_text=True)
    assert _upload(client, b"", name="empty.xlf").status_code == 422
    assert _name_fr(catalog) is None


def test_the_grid_links_its_search_to_the_export_form(logged_in_client, catalog):
    client = logged_in_client("editor")
    page = client.get("/products?q=crew&locale=fr_FR").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-export-translations', page)
    assert link is not None
    form = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert 'name="q" type="search" value="crew"' in form
    assert re.search(r'value="fr_FR" checked', form)
    viewer = logged_in_client("viewer").get("/products?q=crew").get_data(as_text=True)
    assert "data-export-translations" not in viewer
