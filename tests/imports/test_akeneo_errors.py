"""``vitrine pim import-akeneo``: refused rows and files, warnings, updates of what exists."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from pim.models import Attribute, Category, Family, FamilyVariant, PendingMedia
from pim.services import product_models, products
from pim.services.errors import NotFound
from pim.services.structure import attribute_state


def write(directory, files: dict) -> None:
    for name, lines in files.items():
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_import(cli_runner, directory) -> tuple[int, dict]:
    result = cli_runner.invoke(args=["pim", "import-akeneo", str(directory), "--json"])
    return result.exit_code, json.loads(result.output)


def issues_by_key(summary: dict) -> dict:
    found: dict = {}
    for issue in summary["issues"]:
        found.setdefault(issue["key"], []).append(issue)
    return found


# --- products and models ---------------------------------------------------------------------

BAD_PRODUCTS = [
    "sku;family;categories;enabled;name-en_US;color;pieces;release_date;weight;washable;colour",
    "GOOD-1;tshirts;women;1;Good one;blue;3;2024-01-31;150 GRAM;1;",
    "BAD-OPTION;tshirts;;1;Half written;purple;;;;;",
    "BAD-NUMBER;tshirts;;1;;;three;;;;",
    "BAD-DATE;tshirts;;1;;;;31/01/2024;;;",
    "BAD-UNIT;tshirts;;1;;;;;5 STONE;;",
    "BAD-COLUMN;tshirts;;1;;;;;;;red",
    "BAD-CATEGORY;tshirts;shoes;1;;;;;;;",
    "BAD-BOOLEAN;tshirts;;1;;;;;;yes;",
    "GOOD-2;tshirts;;0;Good two;;;;;;",
]
EXPECTED_ERRORS = {
    "BAD-OPTION": (3, "color", "purple", "'purple' is not an option of color"),
    "BAD-NUMBER": (4, "pieces", "three", "'three' is not a valid number"),
    "BAD-DATE": (5, "release_date", "31/01/2024", "'31/01/2024' is not a date YYYY-MM-DD"),
    "BAD-UNIT": (6, "weight", "STONE", "unknown unit 'STONE' for Weight"),
    "BAD-COLUMN": (7, "colour", "red", "unknown column: there is no attribute 'colour'"),
    "BAD-CATEGORY": (8, "categories", "shoes", "unknown categories: shoes"),
    "BAD-BOOLEAN": (9, "washable", "yes", "must be 1 or 0"),
}


def test_bad_rows_are_reported_and_good_rows_land(catalog, cli_runner, db_session, tmp_path):
    write(tmp_path, {"products.csv": BAD_PRODUCTS})

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 1 and summary["ok"] is False
    counts = summary["files"]["products.csv"]
    assert (counts["created"], counts["failed"]) == (2, len(EXPECTED_ERRORS))
    found = issues_by_key(summary)
    for key, (line, column, value, reason) in EXPECTED_ERRORS.items():
        [issue] = found[key]
        assert (issue["file"], issue["line"], issue["column"]) == ("products.csv", line, column)
        assert issue["value"] == value and reason in issue["reason"], issue
        assert issue["severity"] == "error"
        with pytest.raises(NotFound):
            products.get_product(db_session, key)
    good = products.get_product(db_session, "GOOD-1")
    assert good.values["weight"][0]["data"] == {"amount": "150", "unit": "GRAM"}
    assert products.get_product(db_session, "GOOD-2").enabled is False


def test_readable_output_lists_errors_and_exits_1(catalog, cli_runner, tmp_path):
    write(tmp_path, {"products.csv": BAD_PRODUCTS})

    result = cli_runner.invoke(args=["pim", "import-akeneo", str(tmp_path)])

    assert result.exit_code == 1
    assert "error: products.csv line 3 [BAD-OPTION] column color ('purple')" in result.output


def test_model_rows_name_unknown_variants_and_parents(catalog, cli_runner, db_session, tmp_path):
    write(
        tmp_path,
        {
            "product_models.csv": [
                "code;family_variant;parent;color;brand",
                "TS-VNECK;tshirts_color_size;;;acme",
                "TS-VNECK-BLUE;tshirts_color_size;TS-VNECK;blue;",
                "NO-VARIANT;jeans_by_size;;;",
                "ORPHAN;tshirts_color_size;NOBODY;black;",
            ]
        },
    )

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 1
    assert summary["files"]["product_models.csv"]["created"] == 2
    found = issues_by_key(summary)
    assert [(i["line"], i["column"], i["value"]) for i in found["NO-VARIANT"]] == [
        (4, "family_variant", "jeans_by_size")
    ]
    assert found["ORPHAN"][0]["column"] == "parent" and "NOBODY" in found["ORPHAN"][0]["reason"]


def test_values_of_the_parent_model_are_left_to_it(catalog, cli_runner, db_session, tmp_path):
    write(
        tmp_path,
        {
            "products.csv": [
                "sku;parent;name-en_US;brand;color;size",
                "TS-CREW-RED-L;TS-CREW-RED;Another name;vitrine;red;l",
            ]
        },
    )

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 0, summary["issues"]
    large = products.get_product(db_session, "TS-CREW-RED-L")
    assert large.values == {"size": [{"locale": None, "scope": None, "data": "l"}]}
    [warning] = summary["issues"]
    assert (warning["column"], warning["value"], warning["severity"]) == (
        "name-en_US",
        "Another name",
        "warning",
    )
    assert "belongs to the model 'TS-CREW'" in warning["reason"]


def test_existing_products_are_updated_and_linked(catalog, cli_runner, db_session, tmp_path):
    write(
        tmp_path,
        {
            "products.csv": [
                "sku;parent;size;ean;cross_sell-products;cross_sell-product_models",
                "TS-CREW-RED-S;TS-CREW-RED;s;4006381333931;TS-CREW-RED-M,GHOST;",
                "TS-CREW-RED-M;TS-CREW-RED;m;4006381333979;;TS-CREW",
            ]
        },
    )

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 0, summary["issues"]
    counts = summary["files"]["products.csv"]
    assert (counts["created"], counts["updated"], counts["skipped"]) == (0, 2, 0)
    small = products.product_state(db_session, products.get_product(db_session, "TS-CREW-RED-S"))
    assert small["associations"] == {
        "cross_sell": {"products": ["TS-CREW-RED-M"], "product_models": []}
    }
    [warning] = summary["issues"]
    assert (warning["column"], warning["value"]) == ("cross_sell-products", "GHOST")
    medium = products.get_product(db_session, "TS-CREW-RED-M")
    assert medium.values["ean"][0]["data"] == "4006381333979"


def test_model_links_are_written_once_the_products_exist(catalog, cli_runner, db_session, tmp_path):
    write(
        tmp_path,
        {
            "product_models.csv": [
                "code;family_variant;parent;cross_sell-products",
                "TS-VNECK;tshirts_color_size;;NEW-1",
            ],
            "products.csv": ["sku;family", "NEW-1;tshirts"],
        },
    )

    first_code, first = run_import(cli_runner, tmp_path)
    second_code, second = run_import(cli_runner, tmp_path)

    assert first_code == second_code == 0, first["issues"]
    model = product_models.get_model(db_session, "TS-VNECK")
    assert product_models.model_state(db_session, model)["associations"] == {
        "cross_sell": {"products": ["NEW-1"], "product_models": []}
    }
    assert first["files"]["product_models.csv"]["created"] == 1
    assert second["files"]["product_models.csv"]["skipped"] == 1


def test_links_outside_the_folder_are_refused(catalog, cli_runner, db_session, tmp_path):
    (tmp_path / "secret.jpg").write_bytes(b"secret")
    export = tmp_path / "export"
    export.mkdir()
    write(export, {"products.csv": ["sku;family;images", "SIMPLE-1;tshirts;../secret.jpg"]})

    code, summary = run_import(cli_runner, export)

    assert code == 0
    [warning] = summary["issues"]
    assert warning["column"] == "images" and "outside the import folder" in warning["reason"]
    assert db_session.scalar(select(func.count()).select_from(PendingMedia)) == 0


# --- structure ---------------------------------------------------------------------------------

BASE = {
    "locales.csv": ["code;activated", "en_US;1"],
    "currencies.csv": ["code;activated", "EUR;1"],
    "categories.csv": ["code;parent;label-en_US", "master;;Master"],
    "channels.csv": ["code;currencies;locales;tree", "ecommerce;EUR;en_US;master"],
    "attribute_groups.csv": ["code;sort_order;label-en_US", "main;1;Main"],
}


def test_structure_rows_with_bad_references_write_nothing(cli_runner, db_session, tmp_path):
    write(
        tmp_path,
        BASE
        | {
            "attributes.csv": [
                "code;type;group;localizable;scopable;metric_family;default_metric_unit",
                "sku;pim_catalog_identifier;main;0;0;;",
                "name;pim_catalog_text;main;1;0;;",
                "color;pim_catalog_simpleselect;main;0;0;;",
                "title;pim_catalog_text;nope;0;0;;",
                "fabric;pim_catalog_table;main;0;0;;",
                "heat;pim_catalog_metric;main;0;0;Temperature;CELSIUS",
            ],
            "families.csv": [
                "code;attributes;attribute_as_label;requirements-ecommerce;requirements-web",
                "good;sku,name,color;name;sku,name;",
                "shirts;sku,name,ghost;name;;",
                "plain;sku,name;name;;sku",
                "labelled;sku,color;name;;",
            ],
            "family_variants.csv": [
                "code;family;variant-axes_1;variant-attributes_1",
                "by_color;good;color;color",
                "by_name;good;name;name",
                "by_ghost;nope;color;",
            ],
        },
    )

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 1
    files = summary["files"]
    assert (files["attributes.csv"]["created"], files["attributes.csv"]["failed"]) == (3, 3)
    assert (files["families.csv"]["created"], files["families.csv"]["failed"]) == (1, 3)
    assert (files["family_variants.csv"]["created"], files["family_variants.csv"]["failed"]) == (
        1,
        2,
    )
    assert sorted(db_session.scalars(select(Attribute.code))) == ["color", "name", "sku"]
    assert list(db_session.scalars(select(Family.code))) == ["good"]
    assert list(db_session.scalars(select(FamilyVariant.code))) == ["by_color"]
    found = {(i["key"], i["column"]): i for i in summary["issues"]}
    assert "unknown attribute group 'nope'" in found[("title", "group")]["reason"]
    assert "pim_catalog_table" in found[("fabric", "type")]["reason"]
    assert found[("heat", "metric_family")]["value"] == "Temperature"
    assert found[("shirts", "attributes")]["value"] == "ghost"
    assert "unknown channel 'web'" in found[("plain", "requirements-web")]["reason"]
    assert found[("labelled", "attribute_as_label")]["value"] == "name"
    assert "cannot be an axis" in found[("by_name", "variant-axes_1")]["reason"]
    assert "unknown family 'nope'" in found[("by_ghost", "family")]["reason"]


def test_categories_in_a_cycle_or_under_an_unknown_parent(cli_runner, db_session, tmp_path):
    write(
        tmp_path,
        {"categories.csv": ["code;parent", "a;b", "b;a", "c;nowhere", "d;", "e;d"]},
    )

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 1
    assert sorted(db_session.scalars(select(Category.code))) == ["d", "e"]
    reasons = {i["key"]: i["reason"] for i in summary["issues"]}
    assert "cycle" in reasons["b"] and "'b' was refused" in reasons["a"]
    assert reasons["c"] == "unknown parent category 'nowhere'"


def test_existing_structure_is_updated_or_left_alone(catalog, cli_runner, db_session, tmp_path):
    write(
        tmp_path,
        {
            "attributes.csv": [
                "code;type;group;localizable;scopable;unique;label-en_US;max_characters",
                "name;pim_catalog_text;marketing;1;0;0;Product name;80",
                "washable;pim_catalog_text;product;0;0;0;;",
            ],
            "attribute_options.csv": [
                "attribute;code;sort_order;label-en_US",
                "color;red;0;Bright red",
                "color;green;9;Green",
                "color;blue;1;",
            ],
        },
    )

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 1  # washable cannot turn into a text attribute
    name = attribute_state(db_session.scalar(select(Attribute).where(Attribute.code == "name")))
    assert name["labels"] == {"en_US": "Product name"}
    assert name["sort_order"] == 1  # no sort_order column: left as it was
    options = summary["files"]["attribute_options.csv"]
    assert (options["created"], options["updated"], options["skipped"]) == (1, 1, 1)
    color = db_session.scalar(select(Attribute).where(Attribute.code == "color"))
    state = {o["code"]: o for o in attribute_state(color)["options"]}
    assert set(state) == {"red", "blue", "black", "green"}
    assert state["red"]["labels"] == {"en_US": "Bright red"} and state["red"]["swatch"]
    [error] = summary["issues"]
    assert error["key"] == "washable" and "cannot be changed" in error["reason"]


# --- files -------------------------------------------------------------------------------------


def test_absent_files_are_skipped(cli_runner, db_session, tmp_path):
    write(tmp_path, {"association_types.csv": ["code;label-en_US", "PACK;Pack"]})

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 0
    assert summary == {
        "files": {
            "association_types.csv": {
                "created": 1,
                "updated": 0,
                "skipped": 0,
                "failed": 0,
                "warnings": 0,
            }
        },
        "issues": [],
        "ok": True,
    }


def test_a_refused_file_stops_the_import(cli_runner, db_session, tmp_path):
    write(
        tmp_path,
        BASE
        | {
            "attributes.csv": ["code;type;code", "sku;pim_catalog_identifier;sku"],
            "families.csv": ["code;attributes", "good;sku"],
        },
    )

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 1
    assert summary["files"]["attributes.csv"]["failed"] == 1
    refused = [i for i in summary["issues"] if i["file"] == "attributes.csv"]
    assert 'The file "attributes.csv"' in refused[0]["reason"]
    skipped = [i for i in summary["issues"] if i["file"] == "families.csv"]
    assert skipped[0]["severity"] == "warning" and "not imported" in skipped[0]["reason"]
    assert db_session.scalar(select(func.count()).select_from(Family)) == 0
    assert summary["files"]["channels.csv"]["created"] == 1  # files before it are kept


def test_rows_the_reader_flags_are_refused(cli_runner, db_session, tmp_path):
    write(tmp_path, {"association_types.csv": ["code;label-en_US", "PACK;Pack;extra", "UP;Up"]})

    code, summary = run_import(cli_runner, tmp_path)

    assert code == 1
    counts = summary["files"]["association_types.csv"]
    assert (counts["created"], counts["failed"]) == (1, 1)
    assert summary["issues"][0]["line"] == 2
