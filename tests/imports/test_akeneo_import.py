"""``vitrine pim import-akeneo``: a small but complete Akeneo export, imported twice."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from pim.models import (
    Category,
    Channel,
    Completeness,
    FamilyVariant,
    Locale,
    PendingMedia,
    Version,
)
from pim.serialize import model_to_standard, product_to_standard
from pim.services import product_models, products
from pim.services.structure import attribute_state, family_state, family_variant_state

ATTRIBUTE_HEADER = (
    "code;type;group;localizable;scopable;unique;sort_order;label-en_US;label-fr_FR;"
    "max_characters;validation_rule;validation_regexp;number_min;number_max;decimals_allowed;"
    "negative_allowed;metric_family;default_metric_unit;wysiwyg_enabled;allowed_extensions"
)
ATTRIBUTES = [
    "sku;pim_catalog_identifier;product;0;0;1;1;SKU;SKU;;;;;;;;;;;",
    "name;pim_catalog_text;marketing;1;0;0;2;Name;Nom;80;;;;;;;;;;",
    "description;pim_catalog_textarea;marketing;1;1;0;3;Description;;;;;;;;;;;1;",
    "color;pim_catalog_simpleselect;product;0;0;0;4;Colour;Couleur;;;;;;;;;;;",
    "size;pim_catalog_simpleselect;product;0;0;0;5;Size;Taille;;;;;;;;;;;",
    "material;pim_catalog_multiselect;product;0;0;0;6;Material;;;;;;;;;;;;",
    "price;pim_catalog_price_collection;commercial;0;0;0;7;Price;Prix;;;;0.0000;;1;0;;;;",
    "weight;pim_catalog_metric;logistics;0;0;0;8;Weight;;;;;;5000;1;0;Weight;GRAM;;",
    "ean;pim_catalog_text;logistics;0;0;1;9;EAN;;;regexp;/^\\d{13}$/;;;;;;;;",
    "pieces;pim_catalog_number;logistics;0;0;0;10;Pieces;;;;;;100;0;0;;;;",
    "washable;pim_catalog_boolean;product;0;0;0;11;Washable;;;;;;;;;;;;",
    "release_date;pim_catalog_date;commercial;0;0;0;12;Release date;;;;;;;;;;;;",
    "picture;pim_catalog_image;media;0;0;0;13;Picture;;;;;;;;;;;;jpg,png",
    "manual;pim_catalog_file;media;0;0;0;14;Manual;;;;;;;;;;;;pdf",
]
TSHIRT_ATTRIBUTES = (
    "sku,name,description,color,size,material,price,weight,ean,pieces,washable,picture"
)
PRODUCT_HEADER = (
    "sku;family;categories;enabled;groups;parent;name-en_US;name-fr_FR;"
    "description-en_US-ecommerce;color;size;ean;weight;weight-unit;price;pieces;washable;"
    "release_date;material;picture;manual;X_SELL-products;X_SELL-product_models;X_SELL-groups"
)
ROOT_VALUES = "Crew T-shirt;T-shirt col rond;<p>Soft cotton</p>"

FILES = {
    "channels.csv": [
        "code;label-en_US;label-fr_FR;currencies;locales;tree;conversion_units",
        "ecommerce;E-commerce;E-commerce;EUR,USD;en_US,fr_FR,de_DE;master;",
        "print;Print;Impression;EUR;fr_FR;master;",
    ],
    "locales.csv": ["code;activated", "de_DE;1", "en_US;1", "es_ES;0", "fr_FR;1"],
    "currencies.csv": ["code;activated", "EUR;1", "GBP;0", "USD;1"],
    "attribute_groups.csv": [
        "code;sort_order;attributes;label-en_US",
        "product;1;sku,color,size;Product",
        "marketing;2;name,description;Marketing",
        "commercial;3;price;Commercial",
        "logistics;4;weight,ean;Logistics",
        "media;5;picture,manual;Media",
    ],
    "attributes.csv": [ATTRIBUTE_HEADER, *ATTRIBUTES],
    "attribute_options.csv": [
        "attribute;code;sort_order;label-en_US;label-fr_FR",
        "color;red;1;Red;Rouge",
        "color;blue;2;Blue;Bleu",
        "size;s;1;S;S",
        "size;m;2;M;M",
        "material;cotton;1;Cotton;Coton",
        "material;elastane;2;Elastane;Élasthanne",
    ],
    "families.csv": [
        "code;label-en_US;attributes;attribute_as_label;attribute_as_image;"
        "requirements-ecommerce;requirements-print",
        f"tshirts;T-shirts;{TSHIRT_ATTRIBUTES};name;picture;"
        "sku,name,description,price,color,size;sku,name,price",
        "bags;Bags;sku,name,price,weight,pieces,washable,release_date,picture,manual;name;"
        "picture;sku,name,price;sku,name",
    ],
    "family_variants.csv": [
        "code;family;label-en_US;variant-axes_1;variant-attributes_1;variant-axes_2;"
        "variant-attributes_2",
        "tshirts_color_size;tshirts;By colour and size;color;color,picture;size;"
        "size,sku,ean,weight",
    ],
    "categories.csv": [  # children before their parents, as Akeneo does not promise order
        "code;parent;label-en_US",
        "women_tops;women;Tops",
        "women;master;Women",
        "master;;Master",
        "men;master;Men",
    ],
    "association_types.csv": ["code;label-en_US", "X_SELL;Cross sell", "UPSELL;Upsell"],
    "product_models.csv": [  # sub-models before their root
        "code;family_variant;parent;categories;name-en_US;name-fr_FR;"
        "description-en_US-ecommerce;price-EUR;price-USD;material;color;picture",
        f"TS-CREW-RED;tshirts_color_size;TS-CREW;women_tops;{ROOT_VALUES};19.90;24.00;"
        "cotton,elastane;red;files/TS-CREW-RED/picture/red.jpg",
        f"TS-CREW;tshirts_color_size;;women_tops;{ROOT_VALUES};19.90;24.00;cotton,elastane;;",
        f"TS-CREW-BLUE;tshirts_color_size;TS-CREW;women_tops;{ROOT_VALUES};19.90;24.00;"
        "cotton,elastane;blue;",
    ],
    "products.csv": [
        PRODUCT_HEADER,
        f"TS-CREW-RED-S;tshirts;women_tops;1;;TS-CREW-RED;{ROOT_VALUES};red;s;4006381333931;"
        "180;GRAM;19.90 EUR, 24.00 USD;;;;cotton,elastane;files/TS-CREW-RED/picture/red.jpg;;;;",
        f"TS-CREW-RED-M;tshirts;women_tops;1;;TS-CREW-RED;{ROOT_VALUES};red;m;4006381333948;"
        "0.2 KILOGRAM;;;;;;;;;;;",
        f"TS-CREW-BLUE-S;tshirts;women_tops;1;;TS-CREW-BLUE;{ROOT_VALUES};blue;s;4006381333955;"
        ";;;;;;;;;;;",
        "TS-CREW-BLUE-M;tshirts;women_tops;1;;TS-CREW-BLUE;;;;blue;m;4006381333962;;;;;;;;;;;;",
        "BAG-TOTE;bags;men;0;summer_promo;;Tote bag;Sac cabas;;;;;500 GRAM;;"
        "10.00 EUR, 14.00 USD;2;1;2024-03-01;;files/BAG-TOTE/picture/tote.jpg;"
        "files/BAG-TOTE/manual/tote.pdf;TS-CREW-RED-S;TS-CREW;",
    ],
}
EXPECTED_COUNTS = {
    "locales.csv": (3, 1, 0),
    "currencies.csv": (2, 1, 0),
    "categories.csv": (4, 0, 0),
    "channels.csv": (2, 0, 0),
    "attribute_groups.csv": (5, 0, 0),
    "attributes.csv": (14, 0, 0),
    "attribute_options.csv": (6, 0, 0),
    "families.csv": (2, 0, 0),
    "family_variants.csv": (1, 0, 0),
    "association_types.csv": (2, 0, 0),
    "product_models.csv": (3, 0, 0),
    "products.csv": (5, 0, 2),
}


def write_export(directory, files=FILES) -> None:
    """Write the CSV files (and the one image that exists) into ``directory``."""
    for name, lines in files.items():
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for relative in ("files/TS-CREW-RED/picture/red.jpg", "files/BAG-TOTE/picture/tote.jpg"):
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / relative).write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")


@pytest.fixture
def export_dir(tmp_path):
    write_export(tmp_path)
    return tmp_path


def run_import(cli_runner, directory) -> tuple[int, dict]:
    result = cli_runner.invoke(args=["pim", "import-akeneo", str(directory), "--json"])
    return result.exit_code, json.loads(result.output)


def test_a_complete_export_lands_in_the_catalogue(cli_runner, db_session, export_dir):
    code, summary = run_import(cli_runner, export_dir)

    assert code == 0, summary["issues"]
    assert summary["ok"] is True
    counts = {
        name: (c["created"], c["skipped"], c["warnings"]) for name, c in summary["files"].items()
    }
    assert counts == EXPECTED_COUNTS
    assert all(c["failed"] == 0 and c["updated"] == 0 for c in summary["files"].values())
    assert list(summary["files"]) == list(EXPECTED_COUNTS)  # dependency order


def test_structure_is_mapped(cli_runner, db_session, export_dir):
    run_import(cli_runner, export_dir)

    assert sorted(db_session.scalars(select(Locale.code))) == ["de_DE", "en_US", "fr_FR"]
    ecommerce = db_session.scalar(select(Channel).where(Channel.code == "ecommerce"))
    assert ecommerce.locale_codes == ["de_DE", "en_US", "fr_FR"]
    assert ecommerce.currency_codes == ["EUR", "USD"]
    assert ecommerce.category_tree.code == "master"
    tops = db_session.scalar(select(Category).where(Category.code == "women_tops"))
    assert tops.parent.code == "women" and tops.parent.parent.code == "master"
    weight = attribute_state(_attribute(db_session, "weight"))
    assert (weight["type"], weight["metric_family"], weight["default_unit"]) == (
        "metric",
        "Weight",
        "GRAM",
    )
    assert weight["max_value"] == "5000"
    pieces = attribute_state(_attribute(db_session, "pieces"))
    assert (pieces["decimals_allowed"], pieces["min_value"]) == (False, "0")
    assert attribute_state(_attribute(db_session, "ean"))["regex"] == r"^\d{13}$"
    assert attribute_state(_attribute(db_session, "description"))["rich_text"] is True
    assert attribute_state(_attribute(db_session, "picture"))["type"] == "asset_collection"
    color = attribute_state(_attribute(db_session, "color"))
    assert color["options"][0] == {
        "code": "red",
        "labels": {"en_US": "Red", "fr_FR": "Rouge"},
        "sort_order": 1,
        "swatch": None,
    }


def test_families_and_variants_are_mapped(cli_runner, db_session, export_dir):
    run_import(cli_runner, export_dir)

    family = family_state(_family(db_session, "tshirts"))
    assert family["label_attribute"] == "name" and family["image_attribute"] == "picture"
    assert family["requirements"] == {
        "ecommerce": ["color", "description", "name", "price", "size", "sku"],
        "print": ["name", "price", "sku"],
    }
    variant = db_session.scalar(select(FamilyVariant).where(FamilyVariant.code != ""))
    assert family_variant_state(variant)["variant_attribute_sets"] == [
        {"level": 1, "axes": ["color"], "attributes": ["color", "picture"]},
        {"level": 2, "axes": ["size"], "attributes": ["ean", "size", "weight"]},
    ]


def test_models_and_products_have_standard_values(cli_runner, db_session, export_dir):
    run_import(cli_runner, export_dir)

    root = model_to_standard(db_session, product_models.get_model(db_session, "TS-CREW"))
    assert root["values"]["price"][0]["data"] == [
        {"amount": "19.90", "currency": "EUR"},
        {"amount": "24.00", "currency": "USD"},
    ]
    assert root["values"]["material"][0]["data"] == ["cotton", "elastane"]
    assert root["values"]["description"] == [
        {"locale": "en_US", "scope": "ecommerce", "data": "<p>Soft cotton</p>"}
    ]
    red = product_models.get_model(db_session, "TS-CREW-RED")
    assert red.parent.code == "TS-CREW" and red.values == {
        "color": [{"locale": None, "scope": None, "data": "red"}]
    }
    small = products.get_product(db_session, "TS-CREW-RED-S")
    assert small.parent.code == "TS-CREW-RED"
    assert small.values["weight"][0]["data"] == {"amount": "180", "unit": "GRAM"}
    assert set(small.values) == {"size", "ean", "weight"}  # the rest is the models'
    medium = products.get_product(db_session, "TS-CREW-RED-M")
    assert medium.values["weight"][0]["data"] == {"amount": "0.2", "unit": "KILOGRAM"}


def test_simple_product_with_associations_and_categories(cli_runner, db_session, export_dir):
    run_import(cli_runner, export_dir)

    tote = product_to_standard(db_session, products.get_product(db_session, "BAG-TOTE"))
    assert (tote["family"], tote["enabled"], tote["categories"]) == ("bags", False, ["men"])
    values = {code: entries[0]["data"] for code, entries in tote["values"].items()}
    assert values == {
        "name": "Tote bag",
        "price": [{"amount": "10.00", "currency": "EUR"}, {"amount": "14.00", "currency": "USD"}],
        "weight": {"amount": "500", "unit": "GRAM"},
        "pieces": 2,
        "washable": True,
        "release_date": "2024-03-01",
    }
    assert tote["associations"] == {
        "X_SELL": {"products": ["TS-CREW-RED-S"], "product_models": ["TS-CREW"]}
    }
    rows = db_session.scalar(select(func.count()).select_from(Completeness))
    assert rows == 5 * 4  # every product × (ecommerce: 3 locales + print: 1)


def test_images_become_pending_links_and_missing_files_warn(cli_runner, db_session, export_dir):
    _, summary = run_import(cli_runner, export_dir)

    links = db_session.execute(
        select(PendingMedia.owner_type, PendingMedia.owner_key, PendingMedia.reference)
    ).all()
    assert sorted(links) == [
        ("product", "BAG-TOTE", str(export_dir / "files/BAG-TOTE/picture/tote.jpg")),
        ("product_model", "TS-CREW-RED", str(export_dir / "files/TS-CREW-RED/picture/red.jpg")),
    ]
    link = db_session.scalar(select(PendingMedia).where(PendingMedia.owner_key == "BAG-TOTE"))
    assert (link.attribute, link.locale, link.scope, link.source, link.status) == (
        "picture",
        "",
        "",
        "migration",
        "pending",
    )
    missing = [i for i in summary["issues"] if i["column"] == "manual"]
    assert missing == [
        {
            "file": "products.csv",
            "line": 6,
            "key": "BAG-TOTE",
            "column": "manual",
            "value": "files/BAG-TOTE/manual/tote.pdf",
            "reason": f"file not found: {export_dir / 'files/BAG-TOTE/manual/tote.pdf'}; "
            "no asset link recorded",
            "severity": "warning",
        }
    ]
    groups = [i for i in summary["issues"] if i["column"] == "groups"]
    assert groups[0]["severity"] == "warning" and "groups are not supported" in groups[0]["reason"]


def test_a_second_run_changes_nothing(cli_runner, db_session, export_dir):
    run_import(cli_runner, export_dir)
    versions = db_session.scalar(select(func.count()).select_from(Version))
    links = db_session.scalar(select(func.count()).select_from(PendingMedia))

    code, summary = run_import(cli_runner, export_dir)

    assert code == 0, summary["issues"]
    for name, counts in summary["files"].items():
        assert counts["created"] == counts["updated"] == counts["failed"] == 0, name
        assert counts["skipped"] == sum(EXPECTED_COUNTS[name][:2]), name
        assert counts["warnings"] == EXPECTED_COUNTS[name][2], name
    assert db_session.scalar(select(func.count()).select_from(Version)) == versions
    assert db_session.scalar(select(func.count()).select_from(PendingMedia)) == links


def test_readable_output_without_json(cli_runner, db_session, export_dir):
    result = cli_runner.invoke(args=["pim", "import-akeneo", str(export_dir)])

    assert result.exit_code == 0, result.output
    assert "products.csv" in result.output and "created" in result.output
    assert "warning: products.csv line 6 [BAG-TOTE] column manual" in result.output


def test_versions_name_the_migration(cli_runner, db_session, export_dir):
    run_import(cli_runner, export_dir)

    sources = set(db_session.scalars(select(Version.source)))
    assert sources == {"migration"}


def _attribute(session, code):
    from pim.models import Attribute

    return session.scalar(select(Attribute).where(Attribute.code == code))


def _family(session, code):
    from pim.models import Family

    return session.scalar(select(Family).where(Family.code == code))
