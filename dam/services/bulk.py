"""Bulk import of files (a folder, a zip, a multi-file upload) with naming-rule links.

Each file is its own unit: it is stored and linked inside a savepoint, so one bad file is
reported and skipped while the others land. The outcome lists, per file, the asset, whether
it was new or a duplicate, the products or models it was linked to, and any error; files
whose names match no rule or no product are reported as such.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from dam.archive import Entry
from dam.models import LinkRole
from dam.naming import DEFAULT_RULES, NameMatch, NamingRule, match_first
from dam.services import links
from dam.services.assets import AssetRefused, upload_path
from dam.storage import StorageError
from pim.models import Product, ProductModel
from pim.services.actors import Actor
from pim.services.errors import DomainError
from pim.services.structure_cache import Structure


@dataclass
class FileOutcome:
    """One file of a bulk import."""

    file: str
    status: str  # new | duplicate | error | skipped
    asset_id: int | None = None
    asset_code: str | None = None
    linked: list[str] = field(default_factory=list)
    link_note: str | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class BulkReport:
    files: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for item in self.files if item.status == status)

    @property
    def unmatched(self) -> list[str]:
        return [item.file for item in self.files if item.link_note and not item.linked]

    def summary(self) -> dict:
        return {
            "files": len(self.files),
            "new": self.count("new"),
            "duplicates": self.count("duplicate"),
            "errors": self.count("error") + self.count("skipped"),
            "linked": sum(1 for item in self.files if item.linked),
            "unmatched": len(self.unmatched),
        }


def import_entries(
    session,
    media,
    entries: Iterable[Entry],
    *,
    actor: Actor,
    user=None,
    rules: tuple[NamingRule, ...] | None = DEFAULT_RULES,
    commit: Callable[[], None] | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> BulkReport:
    """Store each entry as an asset and link it by the naming rules (None: no linking).

    ``commit`` (if given) runs after each file so that progress survives a crash; a storage
    outage stops the import with the files done so far kept and the rest reported.
    """
    report = BulkReport()
    for entry in entries:
        outcome = FileOutcome(file=entry.name, status="skipped")
        if entry.error:
            outcome.status, outcome.error = "error", entry.error
        else:
            try:
                with session.begin_nested():
                    _import_one(session, media, entry, outcome, actor, user, rules)
            except (AssetRefused, DomainError) as exc:
                outcome.status, outcome.error = "error", str(exc)
                outcome.linked = []
            except StorageError as exc:
                outcome.status, outcome.error = "error", f"{entry.name}: {exc}"
                report.files.append(outcome)
                raise BulkInterrupted(report, str(exc)) from exc
        report.files.append(outcome)
        if commit is not None:
            commit()
        if on_file is not None:
            on_file(outcome)
    return report


class BulkInterrupted(DomainError):
    """Storage failed mid-import: ``report`` holds the files done so far."""

    def __init__(self, report: BulkReport, reason: str):
        self.report = report
        super().__init__(f"import stopped after {len(report.files)} file(s): {reason}")


def _import_one(session, media, entry: Entry, outcome, actor, user, rules) -> None:
    result = upload_path(session, media, entry.path, entry.name, user=user)
    outcome.status = "new" if result.created else "duplicate"
    outcome.asset_id, outcome.asset_code = result.asset.id, result.asset.code
    if rules is None:
        return
    match = match_first(rules, entry.name)
    if match is None:
        outcome.link_note = "name matches no naming rule"
        return
    owners = owners_for(session, match)
    if not owners:
        outcome.link_note = f"no product or model matches {_describe(match)}"
        return
    role = match.role or LinkRole.GALLERY
    position = None if match.order is None else max(match.order - 1, 0)
    for owner in owners:
        links.link(session, result.asset, owner, role=role, position=position, actor=actor)
        outcome.linked.append(links.owner_name(owner))


def owners_for(session, match: NameMatch) -> list:
    """The products or models a naming match designates.

    ``sku`` names a product (or, failing that, a model). ``model`` with ``color`` names the
    colour's sub-models when the family variant has a colour level, else the model's
    variants in that colour; ``model`` alone names the model.
    """
    if match.sku:
        product = session.scalar(select(Product).where(Product.identifier == match.sku))
        if product is not None:
            return [product]
        model = session.scalar(select(ProductModel).where(ProductModel.code == match.sku))
        return [model] if model is not None else []
    model = session.scalar(select(ProductModel).where(ProductModel.code == match.model))
    if model is None:
        return []
    if not match.color:
        return [model]
    color = match.color.lower()
    variant_spec = Structure.current(session).family_variants[model.family_variant.code]
    axes = set(variant_spec.axes.get(1, ()))
    children = list(session.scalars(select(ProductModel).where(ProductModel.parent_id == model.id)))
    if children:
        return [child for child in children if _has_axis_value(child.values, axes, color)]
    variants = session.scalars(select(Product).where(Product.parent_id == model.id))
    return [v for v in variants if _has_axis_value(v.values, axes, color)]


def _has_axis_value(values: dict, axes: set[str], wanted: str) -> bool:
    for code in axes:
        for entry in (values or {}).get(code, []):
            data = entry.get("data")
            if isinstance(data, str) and data.lower() == wanted:
                return True
    return False


def _describe(match: NameMatch) -> str:
    if match.sku:
        return f"sku {match.sku!r}"
    return f"model {match.model!r}" + (f" in colour {match.color!r}" if match.color else "")
