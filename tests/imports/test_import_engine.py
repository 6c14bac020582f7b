"""Profile imports end to end: create, re-import, consolidation rules, modes, bad rows."""

from __future__ import annotations

import pytest
from importing import report_lines, run, save_profile, write_csv
from sqlalchemy import func, select

from pim.models import Attribute, Completeness, ImportIssue, Product, Version
from pim.services import products, structure
from pim.services.actors import Actor
from pim.services.completeness import find_drift
from pim.services.structure_cache import Structure

HEADER = ["sku", "name-en_US", "name-fr_FR", "color", "price-EUR", "weight", "weight-unit"]


def _rows(n=3, start=0):
    return [
        [f"SKU-{i}", f"Shirt {i}", f"Chemise {i}", "blue", f"{10 + i}.50", "200", "GRAM"]
        for i in range(start, start + n)
    ]


def _versions(session) -> int:
    return session.scalar(select(func.count()).select_from(Version))


def test_csv_import_creates_products_with_values_versions_and_completeness(
    catalog, db_session, tmp_path
):
    profile = save_profile(db_session)
    job = run(db_session, profile, write_csv(tmp_path / "erp.csv", HEADER, _rows()))

    assert job.status == "succeeded", job.message
    assert (job.rows_read, job.rows_created, job.rows_failed) == (3, 3, 0)
    product = products.get_product(db_session, "SKU-1")
    assert product.source == "erp"
    names = {e["locale"]: e["data"] for e in product.values["name"]}
    assert names == {"en_US": "Shirt 1", "fr_FR": "Chemise 1"}
    assert product.values["price"][0]["data"] == [{"amount": "11.50", "currency": "EUR"}]
    assert product.values["weight"][0]["data"] == {"amount": "200", "unit": "GRAM"}
    version = db_session.scalar(select(Version).where(Version.resource_key == "SKU-1"))
    assert version.source == "erp"
    assert db_session.scalar(
        select(func.count()).select_from(Completeness).where(Completeness.product_id == product.id)
    )
    assert find_drift(db_session, Structure.current(db_session)) == []


def test_reimporting_the_same_file_changes_nothing(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    path = write_csv(tmp_path / "erp.csv", HEADER, _rows(5))
    run(db_session, profile, path)
    before = _versions(db_session)

    again = run(db_session, profile, path)

    assert (again.rows_created, again.rows_updated, again.rows_skipped) == (0, 0, 5)
    assert _versions(db_session) == before


def test_changed_rows_are_updated_and_new_ones_created(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    run(db_session, profile, write_csv(tmp_path / "a.csv", HEADER, _rows(4)))
    rows = _rows(6)
    rows[0][1] = "Renamed"
    job = run(db_session, profile, write_csv(tmp_path / "b.csv", HEADER, rows))

    assert (job.rows_created, job.rows_updated, job.rows_skipped) == (2, 1, 3)
    assert (
        db_session.scalar(
            select(func.count()).select_from(Product).where(Product.identifier.like("SKU-%"))
        )
        == 6
    )
    assert products.get_product(db_session, "SKU-0").values["name"][0]["data"] == "Renamed"


def test_editor_changes_are_protected_from_the_erp(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    run(db_session, profile, write_csv(tmp_path / "a.csv", HEADER, _rows(1)))
    editor = Actor(name="editor@example.com", source="ui")
    product = products.get_product(db_session, "SKU-0")
    products.update_product(
        db_session,
        product,
        {"values": {"name": [{"locale": "en_US", "scope": None, "data": "Editor's name"}]}},
        editor,
    )
    rows = _rows(1)
    rows[0][1], rows[0][2] = "ERP name", "Nom ERP"

    job = run(db_session, profile, write_csv(tmp_path / "b.csv", HEADER, rows))

    names = {e["locale"]: e["data"] for e in product.values["name"]}
    assert names == {"en_US": "Editor's name", "fr_FR": "Nom ERP"}
    warnings = report_lines(db_session, job, "warning")
    assert any(col == "name" and "ui" in reason for _, col, _, reason in warnings)
    latest = db_session.scalar(
        select(Version).where(Version.resource_key == "SKU-0").order_by(Version.number.desc())
    )
    assert latest.source == "erp"


def test_a_supplier_never_overwrites_the_erp_price(catalog, db_session, tmp_path):
    price = db_session.scalar(select(Attribute).where(Attribute.code == "price"))
    structure.update_attribute(db_session, price, {"sources": ["erp", "ui"]}, Actor.system())
    erp = save_profile(db_session)
    run(db_session, erp, write_csv(tmp_path / "erp.csv", HEADER, _rows(1)))
    supplier = save_profile(db_session, code="acme", source="supplier:acme")
    rows = _rows(1)
    rows[0][4] = "1.00"
    rows[0][1] = "Supplier name"

    job = run(db_session, supplier, write_csv(tmp_path / "acme.csv", HEADER, rows))

    product = products.get_product(db_session, "SKU-0")
    assert product.values["price"][0]["data"] == [{"amount": "10.50", "currency": "EUR"}]
    # erp ranks above suppliers by default: the name stays the ERP's too
    assert {e["data"] for e in product.values["name"]} == {"Shirt 0", "Chemise 0"}
    reasons = [reason for _, _, _, reason in report_lines(db_session, job, "warning")]
    assert any("price" in r and "supplier:acme may not write it" in r for r in reasons)


def test_update_only_does_not_create_products(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    run(db_session, profile, write_csv(tmp_path / "a.csv", HEADER, _rows(2)))

    job = run(db_session, profile, write_csv(tmp_path / "b.csv", HEADER, _rows(4)), create=False)

    assert (job.rows_created, job.rows_skipped) == (0, 4)
    assert db_session.scalar(select(Product.id).where(Product.identifier == "SKU-3")) is None
    assert any("only updates" in r for *_, r in report_lines(db_session, job, "warning"))


@pytest.mark.parametrize("policy", ["flag", "disable"])
def test_products_missing_from_a_full_feed_are_flagged_or_disabled(
    catalog, db_session, tmp_path, policy
):
    profile = save_profile(db_session)
    run(db_session, profile, write_csv(tmp_path / "a.csv", HEADER, _rows(3)))

    job = run(db_session, profile, write_csv(tmp_path / "b.csv", HEADER, _rows(2)), missing=policy)

    missing = products.get_product(db_session, "SKU-2")
    assert missing.enabled is (policy == "flag")
    assert products.get_product(db_session, "SKU-1").enabled
    warnings = db_session.scalars(
        select(ImportIssue.key).where(
            ImportIssue.job_id == job.id, ImportIssue.severity == "warning"
        )
    ).all()
    assert warnings == ["SKU-2"]


def test_bad_rows_are_reported_with_line_column_value_and_reason(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    header = ["sku", "name-en_US", "color", "price-EUR", "weight", "release_date"]
    rows = [
        ["OK-1", "Fine", "blue", "10", "100 GRAM", "2026-01-31"],
        ["BAD-OPTION", "x", "navy", "10", "", ""],
        ["BAD-NUMBER", "x", "blue", "12,3.4", "", ""],
        ["BAD-DATE", "x", "blue", "10", "", "31/01/2026"],
        ["BAD-UNIT", "x", "blue", "10", "5 PARSEC", ""],
        ["OK-2", "Fine too", "red", "", "", ""],
    ]
    job = run(db_session, profile, write_csv(tmp_path / "bad.csv", header, rows))

    assert (job.status, job.rows_created, job.rows_failed) == ("succeeded", 2, 4)
    lines = {line: (column, value) for line, column, value, _ in report_lines(db_session, job)}
    assert lines[3] == ("color", "navy")
    assert lines[4] == ("price-EUR", "12,3.4")
    assert lines[5] == ("release_date", "31/01/2026")
    assert lines[6][0] == "weight"
    for identifier in ("BAD-OPTION", "BAD-NUMBER", "BAD-DATE", "BAD-UNIT"):
        assert db_session.scalar(select(Product.id).where(Product.identifier == identifier)) is None


def test_all_or_nothing_writes_nothing_when_one_row_fails(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    rows = _rows(3)
    rows[2][3] = "not-a-colour"
    job = run(
        db_session, profile, write_csv(tmp_path / "a.csv", HEADER, rows), mode="all_or_nothing"
    )

    assert job.status == "failed"
    assert "Nothing was written" in job.message
    assert db_session.scalar(select(Product.id).where(Product.identifier == "SKU-0")) is None
    assert [line for line, *_ in report_lines(db_session, job)] == [4]

    rows[2][3] = "blue"
    job = run(
        db_session, profile, write_csv(tmp_path / "b.csv", HEADER, rows), mode="all_or_nothing"
    )
    assert (job.status, job.rows_created) == ("succeeded", 3)


def test_a_dry_run_reports_without_writing(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    versions = _versions(db_session)
    job = run(db_session, profile, write_csv(tmp_path / "a.csv", HEADER, _rows(3)), dry_run=True)

    assert (job.status, job.rows_created) == ("succeeded", 3)
    assert "nothing was written" in job.message
    assert db_session.scalar(select(Product.id).where(Product.identifier == "SKU-0")) is None
    assert _versions(db_session) == versions
    # and the real run afterwards is not skipped as "unchanged"
    assert run(db_session, profile, tmp_path / "a.csv").rows_created == 3


def test_duplicate_skus_warn_and_the_first_row_wins(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    rows = _rows(2) + [["SKU-0", "Second", "Deuxième", "red", "1", "1", "GRAM"]]
    path = write_csv(tmp_path / "a.csv", HEADER, rows)
    job = run(db_session, profile, path)

    assert (job.rows_created, job.rows_skipped, job.warnings) == (2, 1, 1)
    ((line, column, value, reason),) = report_lines(db_session, job, "warning")
    assert (line, column, value) == (4, "sku", "SKU-0") and "line 2" in reason
    assert products.get_product(db_session, "SKU-0").values["color"][0]["data"] == "blue"
    assert run(db_session, profile, path).rows_updated == 0


def test_unknown_columns_are_refused_by_name_before_anything_is_written(
    catalog, db_session, tmp_path
):
    profile = save_profile(db_session)
    header = [*HEADER, "colour_typo", "internal"]
    job = run(
        db_session,
        profile,
        write_csv(tmp_path / "a.csv", header, [r + ["x", "y"] for r in _rows(2)]),
    )

    assert job.status == "failed"
    assert "colour_typo" in job.message and "internal" in job.message
    assert db_session.scalar(select(Product.id).where(Product.identifier == "SKU-0")) is None


def test_hostile_cells_are_stored_as_given_or_refused_per_row(catalog, db_session, tmp_path):
    mapping = {
        "key": {"column": "sku"},
        "fields": {"family": {"value": "tshirts"}},
        "values": [
            {"column": "desc", "attribute": "description", "locale": "en_US", "scope": "ecommerce"},
            {"column": "name", "attribute": "name", "locale": "en_US"},
        ],
    }
    profile = save_profile(db_session, mapping=mapping)
    formulas = ["=1+1", "+33 6 12", "-5", "@SUM(A1)", "\tx"]
    rows = [[f"F-{i}", "d", text] for i, text in enumerate(formulas)]
    rows.append(["BIG", "x" * 1_000_000, "big"])
    rows.append(["NUL", "d", "a\x00b"])
    job = run(db_session, profile, write_csv(tmp_path / "a.csv", ["sku", "desc", "name"], rows))

    for i, text in enumerate(formulas):
        stored = products.get_product(db_session, f"F-{i}").values["name"][0]["data"]
        assert stored == text
    errors = {line: (column, reason) for line, column, _, reason in report_lines(db_session, job)}
    assert errors[7][0] == "desc"  # longer than the textarea limit: refused, named
    assert errors[8][0] == "name" and "NUL" in errors[8][1]
    assert job.rows_failed == 2


def test_ten_thousand_rows_with_one_bad_row(catalog, db_session, tmp_path):
    profile = save_profile(db_session)
    rows = _rows(10_000)
    rows[6_789][3] = "purple"
    job = run(db_session, profile, write_csv(tmp_path / "big.csv", HEADER, rows))

    assert (job.rows_created, job.rows_failed) == (9_999, 1)
    assert [(line, column, value) for line, column, value, _ in report_lines(db_session, job)] == [
        (6_791, "color", "purple")
    ]


def test_a_job_killed_half_way_and_run_again_leaves_no_duplicates(catalog, db_session, tmp_path):
    from pim.imports import jobs

    profile = save_profile(db_session)
    path = write_csv(tmp_path / "big.csv", HEADER, _rows(2_500))
    job = jobs.create_job(db_session, profile, path, path.name, options={"batch_size": 1000})
    db_session.commit()

    def killed(counts, fraction):
        raise KeyboardInterrupt  # the worker dies after its first committed batch

    with pytest.raises(KeyboardInterrupt):
        jobs.run_job(db_session, job.id, progress=killed)
    db_session.rollback()
    assert (
        db_session.scalar(
            select(func.count()).select_from(Product).where(Product.identifier.like("SKU-%"))
        )
        == 1_000
    )

    again = run(db_session, profile, path)

    assert (again.rows_created, again.rows_skipped, again.rows_failed) == (1_500, 1_000, 0)
    assert (
        db_session.scalar(
            select(func.count()).select_from(Product).where(Product.identifier.like("SKU-%"))
        )
        == 2_500
    )
    assert find_drift(db_session, Structure.current(db_session)) == []
