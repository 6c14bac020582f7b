"""End to end on a product model: translate side by side and save with Ctrl+S, the warning
before leaving unsaved changes, create a missing variant from the matrix, compare two
versions and revert."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

MODEL = "/models/TS-CREW?scope=ecommerce&locale=de_DE&compare=en_US"


def _sign_in(page, live_server, path: str) -> None:
    from playwright.sync_api import expect

    page.goto(path)
    page.get_by_label("E-mail").fill(live_server.email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_contain_text("TS-CREW")


def _missing(page, channel: str, locale: str):
    return page.locator(f'[data-missing="{channel}-{locale}"]')


def test_translate_a_model_side_by_side_and_save_with_ctrl_s(page, live_server):
    from playwright.sync_api import expect

    _sign_in(page, live_server, MODEL)
    field = page.locator('[name="v.name.de_DE.~"]')
    expect(page.locator(".field-reference").first).to_contain_text("Crew-neck T-shirt")
    expect(page.locator('[name="v.name.en_US.~"]')).to_have_count(0)  # the reference
    expect(_missing(page, "ecommerce", "de_DE")).to_contain_text("Name")
    version = int(page.locator('form[data-editor] [name="version"]').input_value())

    field.fill("Rundhals-T-Shirt")
    expect(page.locator("[data-dirty-note]")).to_have_text("Unsaved changes")

    # leaving now asks first; staying keeps the input
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Products").first.click()
    expect(field).to_have_value("Rundhals-T-Shirt")
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(MODEL)

    field.press("Control+s")
    expect(page.locator(".flash").first).to_contain_text(f"Saved TS-CREW (version {version + 1}).")
    expect(page.locator('[name="v.name.de_DE.~"]')).to_have_value("Rundhals-T-Shirt")
    expect(_missing(page, "ecommerce", "de_DE")).not_to_contain_text("Name")
    expect(_missing(page, "ecommerce", "fr_FR")).to_contain_text("Name")
    expect(page.locator("[data-dirty-note]")).to_have_text("")

    # a saved page leaves without asking
    page.get_by_role("link", name="Products").first.click()
    expect(page).to_have_url(re.compile(r"/products$"))
    assert page.console_errors == []


def test_create_a_missing_variant_from_the_matrix(page, live_server):
    from playwright.sync_api import expect

    _sign_in(page, live_server, "/models/TS-CREW?scope=ecommerce&locale=en_US")
    matrix = page.locator(".variant-matrix")
    expect(matrix.get_by_role("link", name="TS-CREW-RED-S")).to_be_visible()
    expect(matrix.get_by_role("link", name="TS-CREW-RED-L")).to_have_count(0)

    matrix.get_by_role("button", name="Create the variant red / l").click()

    expect(page.locator(".flash").first).to_contain_text("Created the variant TS-CREW-RED-L.")
    matrix.get_by_role("link", name="TS-CREW-RED-L").click()
    expect(page.get_by_role("heading", name="TS-CREW-RED-L", exact=True)).to_be_visible()
    expect(page.locator('[name="v.size.~.~"]')).to_have_value("l")
    assert page.console_errors == []


def test_compare_two_versions_and_revert(page, live_server):
    from playwright.sync_api import expect

    _sign_in(page, live_server, "/models/TS-CREW?scope=ecommerce&locale=en_US")
    page.locator('[name="v.brand.~.~"]').select_option("acme")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash").first).to_contain_text("Saved TS-CREW")
    latest = int(page.locator('form[data-editor] [name="version"]').input_value())

    page.get_by_role("link", name="History").click()
    page.get_by_label("From version").select_option(str(latest - 1))
    page.get_by_label("To version").select_option(str(latest))
    page.get_by_role("button", name="Compare").click()

    comparison = page.locator("[data-comparison]")
    expect(comparison).to_contain_text(f"From version {latest - 1} to version {latest}")
    row = comparison.locator("tr", has_text="brand")
    expect(row.locator("td.old")).to_have_text("vitrine")
    expect(row.locator("td.new")).to_have_text("acme")

    comparison.get_by_role("button", name=f"Revert to version {latest - 1}").click()
    expect(page.locator(".flash").first).to_contain_text(f"Reverted to version {latest - 1}.")
    expect(page.locator('[name="v.brand.~.~"]')).to_have_value("vitrine")
    expect(page.locator(".history .version").first).to_contain_text(
        f"reverted to version {latest - 1}"
    )
    assert page.console_errors == []
