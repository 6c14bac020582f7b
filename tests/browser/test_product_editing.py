"""End to end: sign in, find a product, translate its name, save, see completeness rise."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _ratio(page, channel: str, locale: str) -> int:
    badge = page.locator(f'[data-completeness="{channel}-{locale}"]')
    return int(badge.inner_text().strip().rstrip("%"))


def test_edit_a_product_in_two_locales(page, live_server):
    from playwright.sync_api import expect

    page.goto("/products")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("E-mail").fill(live_server.email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Products")).to_be_visible()

    page.get_by_label("Locale").select_option("en_US")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="TS-CREW-RED-S")).to_be_visible()
    page.get_by_role("link", name="LINEN-SHIRT").click()
    expect(page.get_by_role("heading", name="LINEN-SHIRT")).to_be_visible()

    english, french = _ratio(page, "ecommerce", "en_US"), _ratio(page, "print", "fr_FR")
    page.locator('[name="v.name.en_US.~"]').fill("Linen shirt")
    page.locator('[name="v.name.fr_FR.~"]').fill("Chemise en lin")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".flash").first).to_contain_text("Saved LINEN-SHIRT (version 2).")
    expect(page.locator('[name="v.name.fr_FR.~"]')).to_have_value("Chemise en lin")
    assert _ratio(page, "ecommerce", "en_US") > english
    assert _ratio(page, "print", "fr_FR") > french
    expect(page.locator(".history")).to_contain_text("Chemise en lin")
    assert page.console_errors == []


def test_translate_side_by_side_and_save_with_the_keyboard(page, live_server):
    """German beside English, then French beside German: Ctrl+S and Cmd+S save, and the
    completeness of the edited locale rises each time."""
    from playwright.sync_api import expect

    page.goto("/products/LINEN-SHIRT?scope=ecommerce&locale=de_DE&compare=en_US")
    page.get_by_label("E-mail").fill(live_server.email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="LINEN-SHIRT")).to_be_visible()

    # English is the read-only reference: shown, not editable
    expect(page.locator('[name="v.name.en_US.~"]')).to_have_count(0)
    expect(page.locator(".field-reference").first).to_contain_text("Name")
    german = _ratio(page, "ecommerce", "de_DE")
    page.locator('[name="v.name.de_DE.~"]').fill("Leinenhemd")
    page.keyboard.press("Control+s")
    expect(page.locator(".flash").first).to_contain_text("Saved LINEN-SHIRT")
    assert _ratio(page, "ecommerce", "de_DE") > german

    page.get_by_label("Locale", exact=True).select_option("fr_FR")
    page.get_by_label("Side by side with").select_option("de_DE")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".field-reference").first).to_contain_text("Leinenhemd")
    french = _ratio(page, "ecommerce", "fr_FR")
    description = page.locator('[name="v.description.fr_FR.ecommerce"]')
    description.fill("Lin lavé, coupe droite")
    description.press("Meta+s")
    expect(page.locator(".flash").first).to_contain_text("Saved LINEN-SHIRT")
    expect(description).to_have_value("Lin lavé, coupe droite")
    assert _ratio(page, "ecommerce", "fr_FR") > french
    expect(page.locator('[data-missing="ecommerce-fr_FR"]')).not_to_contain_text("description")
    assert page.console_errors == []
