"""An integration through Vitrine's REST API, with nothing but ``requests``:

1. create a T-shirt as a product model with a colour sub-model and three sizes (one NDJSON
   batch for the variants),
2. upload its picture and link it to the colour as the main image,
3. run a feed, wait for it, download its output and check that the sizes are in it.

Run it against a Vitrine (``./manage.sh run`` loads the demo catalogue with the feeds):

    vitrine users token admin@vitrine.local          # prints a token
    python docs/api_example.py --url http://127.0.0.1:5000 --token vtr_… [--feed csv]

It is idempotent: a second run updates the same items (PATCH), and the picture upload
answers 200 with the asset already stored. The tests run it against a live server.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import time
import zlib

import requests

FAMILY_VARIANT = "tshirts_by_color_size"  # colour (sub-model), then size (product)
MODEL = "EX-TEE"
COLOUR = "EX-TEE-NAVY"
SIZES = ["s", "m", "l"]


def value(data, locale=None, scope=None) -> list[dict]:
    """One value in the API's standard format."""
    return [{"locale": locale, "scope": scope, "data": data}]


def ean13(number: int) -> str:
    """A valid EAN-13 (12 digits plus the check digit)."""
    digits = f"{number:012d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def png(width: int = 64, height: int = 64, rgb=(20, 40, 90)) -> bytes:
    """A plain PNG picture, made without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


class Vitrine:
    """A tiny client: every call checks its status and reports problem documents."""

    def __init__(self, url: str, token: str):
        self.base = url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expected=(200,), **kwargs) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        response = self.http.request(method, url, timeout=60, **kwargs)
        if response.status_code == 429:  # rate limited: wait as told, then try again
            time.sleep(int(response.headers.get("Retry-After", "1")))
            return self.call(method, path, expected, **kwargs)
        if response.status_code not in expected:
            raise SystemExit(f"{method} {url} → {response.status_code}: {response.text[:500]}")
        return response

    def upsert(self, path: str, payload: dict) -> dict:
        """PATCH creates the item when it is missing, or merges into it."""
        return self.call("PATCH", path, (200, 201), json=payload).json()


def create_product_with_variants(api: Vitrine) -> list[str]:
    api.upsert(
        f"/product-models/{MODEL}",
        {
            "family_variant": FAMILY_VARIANT,
            "categories": [],
            "values": {
                "name": value("Example crew-neck tee", "en_US") + value("T-shirt exemple", "fr_FR"),
                "description": value("<p>Soft organic cotton.</p>", "en_US", "ecommerce"),
                "brand": value("vitrine"),
                "price": value([{"amount": "25.00", "currency": "EUR"}]),
            },
        },
    )
    api.upsert(f"/product-models/{COLOUR}", {"parent": MODEL, "values": {"color": value("navy")}})
    identifiers = [f"{COLOUR}-{size.upper()}" for size in SIZES]
    lines = [
        {
            "identifier": identifier,
            "parent": COLOUR,
            "values": {
                "size": value(size),
                "ean": value(ean13(400638133393 + n)),
                "weight": value({"amount": "0.18", "unit": "KILOGRAM"}),
            },
        }
        for n, (identifier, size) in enumerate(zip(identifiers, SIZES, strict=True))
    ]
    body = "".join(json.dumps(line) + "\n" for line in lines)
    answer = api.call(
        "PATCH", "/products", data=body.encode(), headers={"Content-Type": "application/x-ndjson"}
    )
    for line in answer.text.splitlines():
        status = json.loads(line)
        if status["status_code"] not in (201, 204):
            raise SystemExit(f"variant {status['identifier']}: {status}")
    print(f"product model {MODEL} with {COLOUR} and variants {', '.join(identifiers)}")
    return identifiers


def upload_picture(api: Vitrine) -> int:
    metadata = {
        "title": {"en_US": "Example tee, navy"},
        "alt_text": {"en_US": "A navy crew-neck T-shirt"},
        # cleared for every channel: feeds leave out pictures in draft or of unknown licence
        "status": "approved",
        "licence_type": "owned",
        "copyright_holder": "Example Brand",
        "links": [{"owner_type": "product_model", "owner": COLOUR, "role": "main"}],
    }
    answer = api.call(
        "POST",
        "/assets",
        (200, 201),
        files={
            "file": ("example-tee-navy.png", png(), "image/png"),
            "metadata": (None, json.dumps(metadata), "application/json"),
        },
    )
    asset = answer.json()
    if answer.status_code == 200:  # the same picture was uploaded before: link it again
        api.call(
            "PUT",
            f"/assets/{asset['id']}/links/product-models/{COLOUR}",
            (200, 201),
            json={"role": "main"},
        )
    print(f"picture asset {asset['id']} linked to {COLOUR} as its main image")
    return asset["id"]


def run_feed(api: Vitrine, feed: str, identifiers: list[str]) -> None:
    history = api.call("GET", f"/feeds/{feed}/runs", params={"limit": 1}).json()["items"]
    newest_before = history[0]["id"] if history else 0
    run = api.call("POST", f"/feeds/{feed}/runs", (202,), json={}).json()
    deadline = time.monotonic() + 300
    while run.get("status") in ("queued", "running"):
        if time.monotonic() > deadline:
            raise SystemExit(f"the {feed} feed did not finish within 5 minutes")
        time.sleep(0.5)
        if "id" in run:
            run = api.call("GET", f"/feeds/{feed}/runs/{run['id']}").json()
            continue
        # queued for a worker: the run appears in the history once it starts
        latest = api.call("GET", f"/feeds/{feed}/runs", params={"limit": 1}).json()["items"]
        if latest and latest[0]["id"] > newest_before:
            run = latest[0]
    print(f"feed {feed}: run {run['id']} {run['status']}, {run['included']} items")
    if run["status"] != "succeeded":
        raise SystemExit(f"the run did not succeed: {json.dumps(run)[:1000]}")
    output = api.call("GET", f"/feeds/{feed}/runs/{run['id']}/download").content.decode()
    missing = [identifier for identifier in identifiers if identifier not in output]
    if missing:
        reasons = run.get("exclusions", [])
        raise SystemExit(f"not in the feed: {', '.join(missing)}; exclusions: {reasons}")
    print(f"the feed's output lists {', '.join(identifiers)}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Vitrine REST API example")
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--token", required=True, help="a personal API token (vtr_…)")
    parser.add_argument("--feed", default="csv", help="code of the feed to run")
    args = parser.parse_args()
    api = Vitrine(args.url, args.token)
    identifiers = create_product_with_variants(api)
    upload_picture(api)
    run_feed(api, args.feed, identifiers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
