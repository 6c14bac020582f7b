"""End to end on the DAM screens: upload files (file input and drop zone) with progress and
results, set a focal point by clicking the preview, reorder a model's pictures by drag.

The live server's queue has no worker here: thumbnails stay placeholders, which is what
a page shows while renditions wait.
"""

from __future__ import annotations

import base64
import io
import random
import re

import pytest
from PIL import Image

pytestmark = pytest.mark.browser


def _jpeg(seed: int, size=(120, 90)) -> bytes:
    """A small JPEG whose bytes differ per seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(40):
        image.putpixel((rng.randrange(size[0]), rng.randrange(size[1])), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _file(name: str, seed: int) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": _jpeg(seed)}


def _sign_in(page, live_server, path="/assets/"):
    from playwright.sync_api import expect

    page.goto(path)
    page.get_by_label("E-mail").fill(live_server.email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Assets", exact=True)).to_be_visible()


def _upload(page, files: list[dict]) -> None:
    """Choose files in the library's input and wait until each has its result."""
    from playwright.sync_api import expect

    expect(page.locator("[data-dam-upload]")).to_have_attribute("data-upload-ready", "true")
    page.get_by_label("Pictures, videos or PDFs").set_input_files(files)
    for item in files:
        row = page.locator(f'[data-upload-file="{item["name"]}"]')
        expect(row).to_have_attribute("data-upload-status", re.compile("new|duplicate|error"))


def test_upload_several_files_with_progress_and_results(page, live_server):
    from playwright.sync_api import expect

    _sign_in(page, live_server)
    files = [_file("browser-a.jpg", 1), _file("browser-b.jpg", 2)]
    _upload(page, files)

    results = page.locator("[data-upload-results] .upload-item")
    expect(results).to_have_count(2)
    for item in files:
        row = page.locator(f'[data-upload-file="{item["name"]}"]')
        expect(row).to_have_attribute("data-upload-status", "new")
        expect(row.locator("progress")).to_have_js_property("value", 100)
        expect(row.get_by_role("link", name=re.compile(r"^open asset "))).to_be_visible()

    # the same bytes again, dropped on the drop zone: a duplicate, with a link to it
    payload = base64.b64encode(files[0]["buffer"]).decode()
    transfer = page.evaluate_handle(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped-again.jpg", { type: "image/jpeg" }));
            return transfer;
        }""",
        payload,
    )
    page.locator("[data-dropzone]").dispatch_event("drop", {"dataTransfer": transfer})
    dropped = page.locator('[data-upload-file="dropped-again.jpg"]')
    expect(dropped).to_have_attribute("data-upload-status", "duplicate")
    expect(dropped).to_contain_text("already in the library")
    link = dropped.get_by_role("link", name=re.compile(r"^open existing asset "))
    first_link = page.locator('[data-upload-file="browser-a.jpg"] a')
    assert link.get_attribute("href") == first_link.get_attribute("href")

    page.get_by_role("link", name="Show the new assets in the library").first.click()
    expect(page.locator(".asset-card", has_text="browser-a.jpg")).to_be_visible()
    expect(page.locator(".asset-card", has_text="browser-b.jpg")).to_be_visible()
    assert page.console_errors == []


def test_clicking_the_preview_sets_the_focal_point(page, live_server):
    from playwright.sync_api import expect

    _sign_in(page, live_server)
    _upload(page, [_file("focal.jpg", 3)])
    page.locator('[data-upload-file="focal.jpg"] a').click()
    expect(page.get_by_role("heading", name="focal.jpg")).to_be_visible()

    expect(page.locator("[data-focal].is-focal-editable")).to_be_visible()
    image = page.locator("[data-focal-image]")
    expect(image).to_have_js_property("complete", True)
    box = image.bounding_box()
    image.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})

    expect(page.locator("[data-focal-status]")).to_contain_text("Focal point saved at")
    expect(page.locator("[data-focal-marker]")).to_be_visible()
    page.reload()
    x = float(page.locator("#focal-x").input_value())
    y = float(page.locator("#focal-y").input_value())
    assert abs(x - 0.25) < 0.02 and abs(y - 0.75) < 0.02
    # the rights form still saves: its row_version followed the focal point's save
    page.get_by_label("Creator").fill("Browser Photographer")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    assert page.console_errors == []


def _order(page) -> list[str]:
    return page.locator("[data-media-list] .media-item a").all_inner_texts()


def test_reorder_a_models_pictures_by_drag_and_drop(page, live_server):
    from playwright.sync_api import expect

    _sign_in(page, live_server)
    names = ["panel-1.jpg", "panel-2.jpg", "panel-3.jpg"]
    _upload(page, [_file(name, 10 + i) for i, name in enumerate(names)])

    for name in names:
        page.goto("/models/TS-CREW?asset_q=panel-")
        page.get_by_role("button", name=f"Link {name}").click()
        expect(page.get_by_role("status").first).to_contain_text(name)
    assert _order(page) == names

    expect(page.locator("[data-media-panel]")).to_have_attribute("data-sortable-ready", "true")
    items = page.locator("[data-media-list] .media-item")
    target = items.nth(2).bounding_box()
    items.nth(0).drag_to(
        items.nth(2),
        source_position={"x": 4, "y": 4},
        target_position={"x": 20, "y": target["height"] - 4},
    )

    expect(page.locator("[data-media-status]")).to_have_text("Order saved.")
    assert _order(page) == ["panel-2.jpg", "panel-3.jpg", "panel-1.jpg"]
    page.reload()
    assert _order(page) == ["panel-2.jpg", "panel-3.jpg", "panel-1.jpg"]

    # from the keyboard (or without JavaScript): the up and down buttons
    page.get_by_role("button", name="Move panel-1.jpg up").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Order saved.")
    assert _order(page) == ["panel-2.jpg", "panel-1.jpg", "panel-3.jpg"]
    assert page.console_errors == []
