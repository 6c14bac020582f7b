"""End to end: sign in on the dashboard, read the completeness chart, follow a bar to the
channel and locale's incomplete products."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_dashboard_chart_leads_to_incomplete_products(page, live_server):
    from playwright.sync_api import expect

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("E-mail").fill(live_server.email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    chart = page.locator('svg[data-chart="completeness"]')
    expect(chart).to_be_visible()
    expect(chart.get_by_role("link")).to_have_count(4)
    bar = chart.get_by_role("link", name=re.compile(r"^print · fr_FR: 0% of 3 products complete"))
    expect(bar).to_be_visible()
    box = bar.locator(".chart-track").bounding_box()
    assert box is not None and box["width"] > 100  # drawn, not collapsed by the CSS
    table = page.locator('table[data-table="completeness"]')
    expect(table.locator('tr[data-channel="print"] td[data-share]')).to_have_text("0%")

    bar.click()
    expect(page).to_have_url(re.compile(r"/products\?.*q=completeness"))
    expect(page.get_by_role("heading", name="Products")).to_be_visible()
    assert "scope=print" in page.url and "locale=fr_FR" in page.url
    expect(page.get_by_role("searchbox")).to_have_value("completeness:print/fr_FR<100")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    assert page.console_errors == []
