"""``/api/v1/translations``: export a file to translate, import it back (dry run, apply),
the problem report, and who may do it."""

from __future__ import annotations

import io

from sqlalchemy import select

from pim.models import Source, Version
from pim.translations.xliff import read_xliff, write_xliff

EXPORTS = "/api/v1/translations/exports"
IMPORTS = "/api/v1/translations/imports"


def _export(api, **body):
    return api.post(EXPORTS, {"target_locales": ["fr_FR"], **body})


def _translated(data: bytes, targets: dict[str, str], *, rename: dict | None = None) -> bytes:
    """The exported XLIFF with ``targets`` (unit id → text) filled in, as a CAT tool would;
    ``rename`` changes the item key of some units (to make unknown ids)."""
    file = read_xliff(data)
    for unit in file.units:
        unit.target = targets.get(unit.id, unit.target)
        unit.item_key = (rename or {}).get(unit.item_key, unit.item_key)
    out = io.BytesIO()
    write_xliff(file, out)
    return out.getvalue()


def _import(api, data: bytes, *, dry_run: str | None = None, name="fr.xlf"):
    form = {"file": (io.BytesIO(data), name)}
    if dry_run is not None:
        form["dry_run"] = dry_run
    return api.open("POST", IMPORTS, data=form, content_type="multipart/form-data")


def _name_fr(catalog):
    values = catalog.model("TS-CREW").values.get("name", [])
    return next((v["data"] for v in values if v["locale"] == "fr_FR"), None)


def test_export_answers_the_xliff_file_as_an_attachment(api, catalog):
    response = _export(api)
    assert response.status_code == 200
    assert response.mimetype == "application/x-xliff+xml"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "vitrine-translations-en_US-fr_FR.xlf" in disposition
    units = {unit.id: unit for unit in read_xliff(response.data).units}
    assert units["model/TS-CREW/name"].source == "Crew-neck T-shirt"


def test_export_of_two_locales_is_a_zip_and_a_bad_selection_a_422(api, catalog):
    response = _export(api, target_locales=["fr_FR", "de_DE"], format="csv")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    refused = _export(api, target_locales=["xx_XX"])
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "xx_XX" in refused.get_json()["errors"][0]["message"]


def test_import_dry_run_then_apply_then_again(api, catalog, db_session):
    data = _translated(_export(api).data, {"model/TS-CREW/name": "T-shirt col rond"})

    dry = _import(api, data)
    assert dry.status_code == 200
    report = dry.get_json()
    assert (report["dry_run"], report["applied"]) == (True, False)
    assert report["changes"] == [
        {
            "unit_id": "model/TS-CREW/name",
            "item_kind": "model",
            "item_key": "TS-CREW",
            "attribute": "name",
            "locale": "fr_FR",
            "scope": None,
            "old": None,
            "new": "T-shirt col rond",
        }
    ]
    db_session.expire_all()
    assert _name_fr(catalog) is None

    applied = _import(api, data, dry_run="false").get_json()
    assert (applied["applied"], applied["change_count"], applied["items_changed"]) == (True, 1, 1)
    db_session.expire_all()
    assert _name_fr(catalog) == "T-shirt col rond"
    model = catalog.model("TS-CREW")
    last = db_session.scalars(
        select(Version)
        .where(Version.resource_type == "product_model", Version.resource_id == model.id)
        .order_by(Version.number.desc())
    ).first()
    assert last.source == Source.TRANSLATION

    again = _import(api, data, dry_run="false").get_json()
    assert (again["applied"], again["change_count"]) == (False, 0)


def test_a_report_with_problems_is_a_422_naming_the_units(api, catalog, db_session):
    exported = _export(api).data
    data = _translated(
        exported, {"model/TS-CREW/name": "T-shirt col rond"}, rename={"TS-CREW": "GONE"}
    )
    response = _import(api, data, dry_run="false")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert "model/GONE/name" in {error["field"] for error in body["errors"]}
    assert "nothing was written" in body["detail"]
    db_session.expire_all()
    assert _name_fr(catalog) is None


def test_an_unreadable_file_is_a_422_naming_the_file(api, catalog):
    response = _import(api, b"<xliff", name="broken.xlf")
    assert response.status_code == 422
    assert "broken.xlf" in response.get_json()["errors"][0]["message"]
    assert _import(api, b"", name="empty.xlf").status_code == 422


def test_suppliers_and_readers_are_refused(api_as, catalog):
    for role in ("supplier", "viewer"):
        client = api_as(role)
        assert _export(client).status_code == 403
        assert _import(client, b"x").status_code == 403


def test_a_translator_works_in_their_locales_only(api, api_as, catalog, db_session):
    exported = _export(api).data
    translator = api_as("translator")
    translator.user.locales = ["de_DE"]
    db_session.flush()

    refused = _export(translator)
    assert refused.status_code == 403
    assert "fr_FR" in refused.get_json()["detail"]
    assert _export(translator, target_locales=["de_DE"]).status_code == 200

    data = _translated(exported, {"model/TS-CREW/name": "T-shirt col rond"})
    response = _import(translator, data, dry_run="false")
    assert response.status_code == 422
    assert "fr_FR" in response.get_json()["errors"][0]["message"]
    db_session.expire_all()
    assert _name_fr(catalog) is None
