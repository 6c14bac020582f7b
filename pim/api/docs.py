"""``/api/v1/openapi.json`` and ``/api/v1/docs``: the OpenAPI document and a page that
shows it, rendered on the server from the document itself (no script, no CDN): tags,
paths, methods, parameters, request and response schemas, components."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Flask, current_app, render_template
from markupsafe import Markup, escape

from pim.api import problems

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")
METHODS = ("get", "post", "put", "patch", "delete")
problems.install(bp)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def spec_dict() -> dict:
    """The OpenAPI document of every registered resource (the PIM's and the plugins')."""
    return current_app.extensions["vitrine_api"].spec.to_dict()


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 document, public like the docs."""
    return current_app.json.response(spec_dict())


@bp.get("/docs")
def docs_page():
    """The browsable documentation."""
    spec = spec_dict()
    return render_template(
        "api/docs.html", spec=spec, tags=operations_by_tag(spec), schemas=component_schemas(spec)
    )


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[dict] = field(default_factory=list)
    body: list[tuple[str, Markup]] = field(default_factory=list)  # (content type, schema)
    responses: list[dict] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "")


def operations_by_tag(spec: dict) -> list[tuple[dict, list[Operation]]]:
    """Each tag of the document with its operations, in path order."""
    by_tag: dict[str, list[Operation]] = {t["name"]: [] for t in spec.get("tags", ())}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                op = _operation(spec, path, method, item[method], item.get("parameters", []))
                for tag in item[method].get("tags") or ["other"]:
                    by_tag.setdefault(tag, []).append(op)
    tags = {t["name"]: t for t in spec.get("tags", ())}
    return [(tags.get(name, {"name": name}), ops) for name, ops in by_tag.items()]


def _operation(spec, path, method, raw: dict, shared_params) -> Operation:
    op = Operation(method.upper(), path, raw.get("summary", ""), raw.get("description", ""))
    for param in [*shared_params, *raw.get("parameters", [])]:
        param = _resolve(spec, param)
        op.parameters.append(
            {
                "name": param["name"],
                "in": param["in"],
                "required": param.get("required", False),
                "type": type_html(param.get("schema", {})),
                "description": param.get("description")
                or param.get("schema", {}).get("description", ""),
            }
        )
    body = _resolve(spec, raw.get("requestBody", {}))
    op.body = [(ct, type_html(c.get("schema", {}))) for ct, c in body.get("content", {}).items()]
    for code, response in sorted(raw.get("responses", {}).items(), key=lambda kv: str(kv[0])):
        response = _resolve(spec, response)
        op.responses.append(
            {
                "code": code,
                "description": response.get("description", ""),
                "content": [
                    (ct, type_html(c.get("schema", {})))
                    for ct, c in response.get("content", {}).items()
                ],
                "headers": sorted(response.get("headers", {})),
            }
        )
    return op


def component_schemas(spec: dict) -> list[dict]:
    """Each component schema with its properties (name, type, required, description)."""
    out = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", ()))
        props = [
            {
                "name": prop,
                "type": type_html(sub),
                "required": prop in required,
                "description": sub.get("description", ""),
            }
            for prop, sub in schema.get("properties", {}).items()
        ]
        out.append(
            {"name": name, "description": schema.get("description", ""), "properties": props}
        )
    return out


def _resolve(spec: dict, node: dict) -> dict:
    """Follow a local ``$ref`` (components/responses, parameters…)."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if not ref or not ref.startswith("#/"):
        return node
    target = spec
    for part in ref[2:].split("/"):
        target = target.get(part, {})
    return target


def type_html(schema: dict) -> Markup:
    """A short, linked description of a schema: ``array of <a>Product</a>``."""
    if not schema:
        return Markup("any")
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return Markup('<a href="#schema-{0}">{0}</a>').format(name)
    kind = schema.get("type")
    if kind == "array":
        text = Markup("array of ") + type_html(schema.get("items", {}))
    elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        text = Markup("object of ") + type_html(schema["additionalProperties"])
    else:
        text = escape(kind or "any")
        if schema.get("format"):
            text += Markup(" (") + escape(schema["format"]) + Markup(")")
    if schema.get("enum"):
        text += Markup(": ") + escape(", ".join(str(v) for v in schema["enum"] if v is not None))
    if schema.get("nullable"):
        text += Markup(" or null")
    return text
