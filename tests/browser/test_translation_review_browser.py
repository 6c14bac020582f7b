"""End to end: a translation goes outdated when its source changes, the editor shows the
source then and now, and "Confirm translation" (a button of another form) clears it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PRODUCT = "/products/LINEN-SHIRT?scope=ecommerce&locale=en_US"


def test_review_and_confirm_an_outdated_translation(page, live_server):
    from playwright.sync_api import expect

    page.goto(PRODUCT)
    page.get_by_label("E-mail").fill(live_server.email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    page.locator('[name="v.name.en_US.~"]').fill("Washed linen shirt")
    page.locator('[name="v.name.fr_FR.~"]').fill("Chemise en lin lavé")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash").first).to_contain_text("Saved LINEN-SHIRT")
    page.locator('[name="v.name.en_US.~"]').fill("Washed linen shirt, relaxed fit")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash").first).to_contain_text("Saved LINEN-SHIRT")

    page.goto("/products/LINEN-SHIRT?scope=ecommerce&locale=fr_FR&compare=en_US")
    review = page.locator('[data-outdated="name-fr_FR"]')
    expect(review).to_contain_text("Outdated")
    expect(review.locator(".source-then")).to_contain_text("Washed linen shirt")
    expect(review.locator(".source-now")).to_contain_text("Washed linen shirt, relaxed fit")
    expect(page.locator('[data-translation="fr_FR"]')).to_contain_text("1 outdated")

    review.get_by_role("button", name="Confirm translation").click()

    expect(page.locator(".flash").first).to_contain_text("Confirmed 1 translation.")
    expect(page.locator('[data-outdated="name-fr_FR"]')).to_have_count(0)
    expect(page.locator('[data-translation="fr_FR"]')).not_to_contain_text("outdated")
    expect(page.locator('[name="v.name.fr_FR.~"]')).to_have_value("Chemise en lin lavé")
    assert page.console_errors == []
