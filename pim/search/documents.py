"""Search documents of products and product models, built in bulk from the database.

What a product's document holds (the query syntax in :mod:`pim.search.query` reads it):

* tokens: identifier, its models' codes, family code and labels, category codes and
  labels (with ancestors), and every text, textarea (HTML removed) and identifier value,
  and the codes and labels of selected options, in every locale, own and inherited;
* fields: ``identifier`` (lower case), ``family``, ``category`` (its own and its models',
  with ancestors),
  ``status``, ``lifecycle``, ``enabled``, ``model`` (every ancestor model code), ``has``
  (``images`` when the
  family's image attribute, or any asset collection, has a value), and ``attr.CODE`` for
  select options and booleans (``yes``/``no``);
* translation fields, per active locale other than the source locale (see
  :mod:`pim.services.translation_status`): ``translation.LOCALE`` holds ``missing`` and/or
  ``outdated`` when the item (inherited values included) has such translations, else
  ``complete``; ``translation_task.LOCALE`` the same for the values the item holds itself
  (what a translator fixes on this item rather than on its model);
* numbers: ``completeness.CHANNEL.LOCALE`` (0–100), ``updated`` and ``created`` (epoch);
* sortable: ``identifier``, ``label`` (the family's label attribute, first locale with a
  value in locale-code order), ``family``.

A model's document is the same without lifecycle, enabled and completeness. The stamp is
a digest of everything else, so ``vitrine search check`` compares index and database by
stamps without reading documents back.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from pim.models import (
    Category,
    Channel,
    Completeness,
    Family,
    FamilyVariant,
    Locale,
    Product,
    ProductModel,
    model_category,
    product_category,
)
from pim.search.base import Document, tokens
from pim.services.inheritance import merge_values
from pim.services.structure_cache import Structure
from pim.services.translation_status import item_status, owned, source_locale

_TAG = re.compile(r"<[^>]*>")
_TEXT_TYPES = {"identifier", "text", "textarea"}
_SELECT_TYPES = {"simple_select", "multi_select"}


def finish(document: Document) -> Document:
    """Sort and de-duplicate what needs it and compute the stamp."""
    document.tokens = sorted(set(document.tokens))
    document.fields = {
        name: sorted(set(values)) for name, values in sorted(document.fields.items()) if values
    }
    payload = json.dumps(
        [document.tokens, document.fields, document.numbers, document.sortable],
        sort_keys=True,
        default=str,
    )
    document.stamp = hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()
    return document


class _Catalogue:
    """What every document of a batch needs: structure, categories, models, channels."""

    def __init__(self, session):
        self.session = session
        self.structure = Structure.current(session)
        self.categories = {
            id_: (code, path, labels or {})
            for id_, code, path, labels in session.execute(
                select(Category.id, Category.code, Category.path, Category.labels)
            )
        }
        self.family_of_id = dict(session.execute(select(Family.id, Family.code)).all())
        self.variant_family = dict(
            session.execute(
                select(FamilyVariant.id, Family.code).join(
                    Family, Family.id == FamilyVariant.family_id
                )
            ).all()
        )
        self.channel_codes = dict(session.execute(select(Channel.id, Channel.code)).all())
        self.locale_codes = dict(session.execute(select(Locale.id, Locale.code)).all())
        self.models: dict[int, tuple] = {}
        self.model_stamps: dict[int, dict] = {}
        self.model_categories: dict[int, list[int]] = {}
        self.source_locale = source_locale()
        self.translated_locales = sorted(self.structure.active_locales - {self.source_locale})

    def load_models(self, ids: Iterable[int | None]) -> None:
        missing = {i for i in ids if i is not None and i not in self.models}
        while missing:
            rows = self.session.execute(
                select(
                    ProductModel.id,
                    ProductModel.parent_id,
                    ProductModel.code,
                    ProductModel.values,
                    ProductModel.translation_sources,
                ).where(ProductModel.id.in_(missing))
            ).all()
            for model_id, category_id in self.session.execute(
                select(model_category.c.model_id, model_category.c.category_id).where(
                    model_category.c.model_id.in_(missing)
                )
            ):
                self.model_categories.setdefault(model_id, []).append(category_id)
            missing = set()
            for id_, parent_id, code, values, stamps in rows:
                self.models[id_] = (parent_id, code, values or {})
                self.model_stamps[id_] = stamps or {}
                if parent_id is not None and parent_id not in self.models:
                    missing.add(parent_id)

    def inherited_categories(self, parent_id: int | None) -> list[int]:
        """The categories of every ancestor model (variants are classified with them)."""
        found = []
        while parent_id is not None and parent_id in self.models:
            found += self.model_categories.get(parent_id, [])
            parent_id = self.models[parent_id][0]
        return found

    def lineage(self, parent_id: int | None) -> tuple[list[str], dict]:
        """Ancestor model codes (root first) and their merged values."""
        chain = []
        while parent_id is not None and parent_id in self.models:
            parent_id, code, values = self.models[parent_id]
            chain.append((code, values))
        chain.reverse()
        return [code for code, _ in chain], merge_values(*(values for _, values in chain))

    def lineage_stamps(self, parent_id: int | None, own: dict | None) -> dict:
        """The translation stamps of the ancestor models and the item (nearest wins)."""
        chain = [own or {}]
        while parent_id is not None and parent_id in self.models:
            chain.append(self.model_stamps.get(parent_id, {}))
            parent_id = self.models[parent_id][0]
        stamps: dict = {}
        for level in reversed(chain):
            stamps.update(level)
        return stamps

    def category_codes(self, ids: Iterable[int]) -> tuple[list[str], list[str]]:
        """Codes of the categories and their ancestors, and their label tokens."""
        codes, words = [], []
        for id_ in ids:
            entry = self.categories.get(id_)
            if entry is None:
                continue
            for ancestor in (int(p) for p in entry[1].strip("/").split("/") if p):
                code, _, labels = self.categories.get(ancestor, (None, None, {}))
                if code:
                    codes.append(code)
                    words += [code, *labels.values()]
        return codes, words

    def document(self, kind: str, row, code: str, own_categories: list[int], family) -> Document:
        """What products' and models' documents share: codes of the item and its models,
        categories (own and the models', with ancestors), values, status and dates."""
        models, inherited = self.lineage(row.parent_id)
        document = Document(kind=kind, id=row.id)
        document.tokens = [code, *models]
        codes, words = self.category_codes(
            own_categories + self.inherited_categories(row.parent_id)
        )
        document.tokens += words
        values = merge_values(inherited, row.values or {})
        self.describe(document, family, values)
        stamps = self.lineage_stamps(row.parent_id, row.translation_sources)
        self.translations(document, family, values, row.values or {}, stamps)
        document.fields.update(
            identifier=[code.lower()],
            category=codes,
            status=[row.workflow_status],
            model=models,
        )
        document.numbers = {"updated": _epoch(row.updated_at), "created": _epoch(row.created_at)}
        document.sortable["identifier"] = code
        return document

    def describe(self, document: Document, family: str | None, values: dict) -> None:
        """Tokens, attribute fields, has-images and the label from merged ``values``."""
        structure = self.structure
        spec = structure.families.get(family) if family else None
        words = document.tokens
        if spec is not None:
            document.fields["family"] = [spec.code]
            document.sortable["family"] = spec.code
            words += [spec.code, *spec.labels.values()]
        for code, entries in values.items():
            attr = structure.attributes.get(code)
            if attr is None or not entries:
                continue
            data = [entry.get("data") for entry in entries if isinstance(entry, dict)]
            if attr.type in _TEXT_TYPES:
                for text in data:
                    if isinstance(text, str):
                        words += tokens(_TAG.sub(" ", text))
            elif attr.type in _SELECT_TYPES:
                chosen = [
                    option
                    for item in data
                    for option in (item if isinstance(item, list) else [item])
                    if isinstance(option, str)
                ]
                document.fields[f"attr.{code}"] = chosen
                for option in chosen:
                    words += [option, *attr.options.get(option, {}).values()]
            elif attr.type == "boolean":
                document.fields[f"attr.{code}"] = [
                    "yes" if item else "no" for item in data if isinstance(item, bool)
                ]
            elif attr.type == "asset_collection" and any(data):
                image = spec.image_attribute if spec is not None else None
                if image is None or image == code:
                    document.fields["has"] = ["images"]
        label = _label(spec, values)
        if label:
            document.sortable["label"] = label
        document.tokens = tokens(" ".join(w for w in words if isinstance(w, str)))

    def translations(
        self, document: Document, family: str | None, values: dict, own: dict, stamps: dict
    ) -> None:
        """The ``translation.LOCALE`` and ``translation_task.LOCALE`` fields."""
        if not self.translated_locales:
            return
        spec = self.structure.families.get(family) if family else None
        codes = spec.attributes if spec is not None else values
        found = item_status(
            values,
            stamps,
            self.structure.attributes,
            codes,
            self.translated_locales,
            self.source_locale,
        )
        for locale, status in found.items():
            document.fields[f"translation.{locale}"] = _states(status) or ["complete"]
            mine = owned(status, own, self.source_locale)
            document.fields[f"translation_task.{locale}"] = _states(mine)


def _states(status) -> list[str]:
    """``missing`` and/or ``outdated`` as the status has such translations."""
    return [name for name in ("missing", "outdated") if getattr(status, name)]


def _label(spec, values: dict) -> str | None:
    if spec is None or not spec.label_attribute:
        return None
    entries = [e for e in values.get(spec.label_attribute) or [] if isinstance(e, dict)]
    for entry in sorted(entries, key=lambda e: e.get("locale") or ""):
        if isinstance(entry.get("data"), str) and entry["data"].strip():
            return entry["data"].strip()
    return None


def _epoch(moment) -> float | None:
    return moment.timestamp() if moment is not None else None


def product_documents(session, ids: list[int]) -> list[Document]:
    """Documents of the products with these ids (missing ids are simply absent)."""
    if not ids:
        return []
    catalogue = _Catalogue(session)
    rows = session.execute(
        select(
            Product.id,
            Product.identifier,
            Product.family_id,
            Product.parent_id,
            Product.enabled,
            Product.values,
            Product.translation_sources,
            Product.workflow_status,
            Product.lifecycle,
            Product.created_at,
            Product.updated_at,
        ).where(Product.id.in_(ids))
    ).all()
    catalogue.load_models(row.parent_id for row in rows)
    categories = defaultdict(list)
    for product_id, category_id in session.execute(
        select(product_category.c.product_id, product_category.c.category_id).where(
            product_category.c.product_id.in_(ids)
        )
    ):
        categories[product_id].append(category_id)
    scores = defaultdict(dict)
    for product_id, channel_id, locale_id, ratio in session.execute(
        select(
            Completeness.product_id,
            Completeness.channel_id,
            Completeness.locale_id,
            Completeness.ratio,
        ).where(Completeness.product_id.in_(ids))
    ):
        channel = catalogue.channel_codes.get(channel_id)
        locale = catalogue.locale_codes.get(locale_id)
        scores[product_id][f"completeness.{channel}.{locale}"] = float(ratio)
    documents = []
    for row in rows:
        family = catalogue.family_of_id.get(row.family_id)
        document = catalogue.document("product", row, row.identifier, categories[row.id], family)
        document.fields.update(lifecycle=[row.lifecycle], enabled=["yes" if row.enabled else "no"])
        document.numbers.update(scores[row.id])
        documents.append(finish(document))
    return documents


def model_documents(session, ids: list[int]) -> list[Document]:
    """Documents of the product models with these ids."""
    if not ids:
        return []
    catalogue = _Catalogue(session)
    rows = session.execute(
        select(
            ProductModel.id,
            ProductModel.code,
            ProductModel.family_variant_id,
            ProductModel.parent_id,
            ProductModel.values,
            ProductModel.translation_sources,
            ProductModel.workflow_status,
            ProductModel.created_at,
            ProductModel.updated_at,
        ).where(ProductModel.id.in_(ids))
    ).all()
    catalogue.load_models(row.parent_id for row in rows)
    categories = defaultdict(list)
    for model_id, category_id in session.execute(
        select(model_category.c.model_id, model_category.c.category_id).where(
            model_category.c.model_id.in_(ids)
        )
    ):
        categories[model_id].append(category_id)
    documents = []
    for row in rows:
        family = catalogue.variant_family.get(row.family_variant_id)
        document = catalogue.document("model", row, row.code, categories[row.id], family)
        documents.append(finish(document))
    return documents
