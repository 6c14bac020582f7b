"""The demo catalogue: structure, realistic gaps, true completeness, determinism, command."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pim.demo import CatalogueGenerator, DemoError, ean13, load_demo
from pim.models import (
    AssociationType,
    Category,
    Channel,
    Completeness,
    Family,
    FamilyVariant,
    Product,
    ProductModel,
    Version,
)
from pim.services import completeness
from pim.services.structure_cache import Structure


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def small_demo(db_session):
    """A 120-variant demo catalogue in the test's transaction; its summary."""
    return load_demo(db_session, products=120, seed=7)


def test_demo_structure(small_demo, db_session):
    assert small_demo["locales"] == 3
    assert small_demo["currencies"] == 2
    channels = {c.code: c for c in db_session.scalars(select(Channel))}
    assert {code: (c.locale_codes, c.currency_codes) for code, c in channels.items()} == {
        "ecommerce": (["de_DE", "en_US", "fr_FR"], ["EUR", "USD"]),
        "marketplace": (["de_DE", "en_US"], ["EUR"]),
        "print": (["en_US", "fr_FR"], ["EUR"]),
    }
    assert {c.category_tree.code for c in channels.values()} == {"master"}
    assert set(db_session.scalars(select(Family.code))) == {
        "tshirts",
        "dresses",
        "jeans",
        "sneakers",
        "bags",
    }
    levels = {fv.code: fv.levels for fv in db_session.scalars(select(FamilyVariant))}
    assert levels["bags_by_color"] == 1
    assert levels["tshirts_by_color_size"] == 2
    assert set(db_session.scalars(select(AssociationType.code))) == {
        "cross_sell",
        "upsell",
        "substitution",
        "pack",
    }
    assert small_demo["attributes"] >= 30
    women = db_session.scalar(select(Category).where(Category.code == "women"))
    assert women.parent.code == "master"
    assert set(women.labels) == {"en_US", "fr_FR", "de_DE"}


def test_demo_products_are_variants_of_models(small_demo, db_session):
    assert small_demo["products"] == count(db_session, Product) == 120
    assert count(db_session, Product, Product.parent_id.is_(None)) == 0
    roots = count(db_session, ProductModel, ProductModel.parent_id.is_(None))
    assert 3 <= roots < small_demo["product models"] < 120
    statuses = set(db_session.scalars(select(Product.workflow_status).distinct()))
    assert len(statuses) >= 2
    assert len(set(db_session.scalars(select(Product.lifecycle).distinct()))) >= 2
    # every creation went through the services: one version 1 per product and model
    kinds = Version.resource_type.in_(["product", "product_model"])
    assert (
        count(db_session, Version, kinds, Version.number == 1) == 120 + small_demo["product models"]
    )


def test_demo_completeness_is_stored_true_and_shows_gaps(small_demo, db_session):
    channel_locales = 3 + 2 + 2
    assert count(db_session, Completeness) == 120 * channel_locales
    assert count(db_session, Completeness, Completeness.ratio < 100) > 0
    assert count(db_session, Completeness, Completeness.ratio == 100) > 0
    assert completeness.find_drift(db_session, Structure.load(db_session)) == []


def test_demo_names_are_translated(small_demo, db_session):
    values = db_session.scalar(
        select(ProductModel.values).where(ProductModel.parent_id.is_(None)).limit(1)
    )
    names = {e["locale"]: e["data"] for e in values["name"]}
    assert "en_US" in names
    assert all(len(text) > 10 for text in names.values())


def test_demo_refuses_a_catalogue_with_products(small_demo, db_session):
    with pytest.raises(DemoError, match="already has 120 products"):
        load_demo(db_session, products=10)


def test_same_seed_same_catalogue():
    def payloads(seed):
        return [(a.models, a.variants) for a in CatalogueGenerator(seed).articles(300)]

    first = payloads(3)
    assert first == payloads(3)
    assert first != payloads(4)
    assert sum(len(variants) for _, variants in first) == 300


def test_generated_data_has_deliberate_gaps():
    articles = list(CatalogueGenerator(42).articles(2000))
    variants = [v for a in articles for v in a.variants]
    without_ean = sum("ean" not in v["values"] for v in variants) / len(variants)
    assert 0.03 < without_ean < 0.15
    roots = [a.models[0] for a in articles]
    german = sum(
        any(e["locale"] == "de_DE" for e in r["values"]["description"]) for r in roots
    ) / len(roots)
    assert 0.55 < german < 0.85


def test_ean13_check_digit():
    assert ean13(1) == "4000000000013"
    assert len(ean13(123456789)) == 13


def test_demo_command_loads_then_refuses(cli_runner, db_session):
    result = cli_runner.invoke(args=["demo", "--products", "40", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo catalogue" in result.output
    assert "40 products" in result.output
    again = cli_runner.invoke(args=["demo"])
    assert again.exit_code == 1
    assert "already has 40 products" in again.output


@pytest.mark.slow
def test_default_demo_size(db_session):
    summary = load_demo(db_session)
    assert summary["products"] == 1200
    assert 150 <= summary["product models"] <= 500
    assert count(db_session, Completeness) == 1200 * 7


def test_the_demo_profile_imports_akeneo_style_columns(small_demo, db_session, tmp_path):
    from pim.imports import jobs, profiles
    from pim.services import products

    family = db_session.scalar(select(Family.code).order_by(Family.code))
    path = tmp_path / "supplier.csv"
    path.write_text(f"sku;family;name-en_US\nDEMO-NEW-1;{family};From the supplier\n")
    profile = profiles.get_profile(db_session, "demo-supplier")

    job = jobs.create_job(db_session, profile, path, path.name)
    job = jobs.run_job(db_session, job.id, commit=False)

    assert (job.status, job.rows_created) == ("succeeded", 1), job.message
    product = products.get_product(db_session, "DEMO-NEW-1")
    assert product.source == "supplier:demo"
