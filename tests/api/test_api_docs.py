"""The OpenAPI document and the browsable docs rendered from it."""

from __future__ import annotations

import re

from pim.api.schemas import ProductWriteSchema

METHODS = {"get", "post", "put", "patch", "delete"}


def _refs(node):
    if isinstance(node, dict):
        for key, inner in node.items():
            if key == "$ref":
                yield inner
            else:
                yield from _refs(inner)
    elif isinstance(node, list):
        for inner in node:
            yield from _refs(inner)


def _resolve(spec, ref):
    target = spec
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def test_the_document_is_openapi_3_and_every_reference_resolves(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    for ref in set(_refs(spec)):
        assert ref.startswith("#/components/"), ref
        assert _resolve(spec, ref) is not None
    for name in ("Problem", "Product", "ProductWrite", "ProductPage", "ProductModel", "BatchLine"):
        assert name in spec["components"]["schemas"]
    paths = spec["paths"]
    assert {
        "/api/v1/products",
        "/api/v1/products/{identifier}",
        "/api/v1/product-models",
        "/api/v1/product-models/{code}",
    } <= set(paths)


def test_every_operation_declares_its_responses_with_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (p, m, op) for p, item in spec["paths"].items() for m, op in item.items() if m in METHODS
    ]
    assert len(operations) >= 100  # every resource of the API is described
    for path, method, op in operations:
        assert op.get("summary"), (path, method)
        responses = {
            str(k): _resolve(spec, v["$ref"]) if "$ref" in v else v
            for k, v in op["responses"].items()
        }
        assert "401" in responses and "403" in responses and "default" in responses
        assert any(code.startswith("2") for code in responses), (path, method)
        for code, response in responses.items():
            assert response.get("description"), (path, method, code)
            if code.startswith(("4", "5")) or code == "default":
                content = response["content"]
                assert list(content) == ["application/problem+json"], (path, method, code)
                assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
            elif code not in ("204", "304"):
                assert response["content"], (path, method, code)
        if method in ("post", "patch"):
            assert op["requestBody"]["content"], (path, method)


def test_request_schemas_are_the_validating_ones(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = set(spec["components"]["schemas"]["ProductWrite"]["properties"])
    assert documented == set(ProductWriteSchema().fields)
    params = spec["paths"]["/api/v1/products"]["get"]["parameters"]
    limit = next(p for p in params if p["name"] == "limit")
    assert limit["in"] == "query"
    assert limit["schema"]["maximum"] == 100 and limit["schema"]["minimum"] == 1
    batch = spec["paths"]["/api/v1/products"]["patch"]
    assert "application/x-ndjson" in batch["requestBody"]["content"]
    assert "application/x-ndjson" in batch["responses"]["200"]["content"]


def test_the_docs_page_shows_paths_parameters_and_schemas_without_third_parties(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for expected in (
        "PATCH /api/v1/products/{identifier}",
        "GET /api/v1/product-models",
        "Update (or create) a product",
        "<code>updated_since</code>",
        'id="schema-Problem"',
        'href="#schema-Product"',
        "application/x-ndjson",
        "application/problem+json",
        "products",
        "product-models",
    ):
        assert expected in html, expected
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
