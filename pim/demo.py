"""`vitrine demo`: a realistic, deterministic fashion catalogue built through the services.

:func:`load_demo` creates the structure (locales, currencies, category tree, channels,
attributes, families, family variants, association types) and then streams generated
product models and variants into the bulk services in batches, so memory stays flat
whatever the size. Data is deliberately incomplete in places (German descriptions,
EANs, weights, print images…) so that completeness shows real gaps.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

import click
from flask import current_app, has_app_context
from flask.cli import with_appcontext
from sqlalchemy import func, select, text

from pim import demo_data as data
from pim.extensions import db
from pim.imports.profiles import save_profile
from pim.models import (
    Attribute,
    Category,
    Channel,
    Currency,
    Family,
    FamilyVariant,
    Locale,
    Product,
    ProductModel,
)
from pim.services import bulk, structure
from pim.services.actors import Actor
from pim.services.errors import DomainError
from pim.services.structure_cache import Structure

#: Number of variants when no size is given.
DEFAULT_PRODUCTS = 1200
#: Variants written per batch (models of those variants go first).
BATCH_VARIANTS = 1000


class DemoError(DomainError):
    """The demo cannot be loaded (e.g. the catalogue is not empty)."""


# --- structure ----------------------------------------------------------------------------


def build_structure(session, actor: Actor) -> None:
    """Create the demo structure through the structure services (flushes, never commits)."""
    for code in data.LOCALES:
        if session.scalar(select(Locale.id).where(Locale.code == code)) is None:
            structure.create_locale(session, code, actor)
    for code in data.CURRENCIES:
        if session.scalar(select(Currency.id).where(Currency.code == code)) is None:
            structure.create_currency(session, code, actor)
    for order, (code, parent, names) in enumerate(data.CATEGORIES):
        payload = {"code": code, "parent": parent, "labels": names, "sort_order": order}
        structure.create_category(session, payload, actor)
    for channel in data.CHANNELS:
        structure.create_channel(session, channel, actor)
    for order, (code, names) in enumerate(data.ATTRIBUTE_GROUPS):
        payload = {"code": code, "labels": names, "sort_order": order}
        structure.create_attribute_group(session, payload, actor)
    for attribute in data.attribute_payloads():
        structure.create_attribute(session, attribute, actor)
    for spec in data.FAMILIES:
        structure.create_family(session, data.family_payload(spec), actor)
        structure.create_family_variant(session, data.family_variant_payload(spec), actor)
    for code, names in data.ASSOCIATION_TYPES:
        structure.create_association_type(session, {"code": code, "labels": names}, actor)


# --- generation ---------------------------------------------------------------------------


@dataclass
class Article:
    """One root model with its colour sub-models and variants, as service payloads."""

    models: list[dict]
    variants: list[dict] = field(default_factory=list)


def _pick(rng: Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def ean13(number: int) -> str:
    """A valid EAN-13 (GS1 check digit) from a running number, prefix 40 (Germany)."""
    body = f"40{number:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _value(datum, locale=None, scope=None) -> list[dict]:
    return [{"locale": locale, "scope": scope, "data": datum}]


def _localized(texts: dict) -> list[dict]:
    return [{"locale": loc, "scope": None, "data": text} for loc, text in texts.items() if text]


class CatalogueGenerator:
    """Deterministic payloads for a seed: the same seed gives the same catalogue."""

    def __init__(self, seed: int = 42):
        self.rng = Random(seed)
        self.eans = 0
        self.recent: dict[str, deque] = {f: deque(maxlen=20) for f in data.FAMILY_MIX}

    def articles(self, variants: int) -> Iterator[Article]:
        """Articles until exactly ``variants`` variants exist (the last one is trimmed)."""
        number, left = 0, variants
        while left > 0:
            number += 1
            article = self.article(number)
            if len(article.variants) > left:
                article = _trim(article, left)
            left -= len(article.variants)
            yield article

    def article(self, number: int) -> Article:
        """One root model (with its sub-models and variants) of a random family."""
        family = _pick(self.rng, {f: mix[0] for f, mix in data.FAMILY_MIX.items()})
        model = _ModelFacts.draw(self.rng, family, number)
        root = self._root(model)
        self.recent[family].append(model.code)
        article = Article(models=[root])
        for color in model.colors:
            self._add_color(article, model, color)
        return article

    # root model ---------------------------------------------------------------------------

    def _root(self, m: _ModelFacts) -> dict:
        values = {
            "name": _localized(m.names),
            "description": self._descriptions(m),
            "short_description": _localized(self._drop(m, data.SHORT, {"de_DE": 0.2})),
            "collection": _value(m.line),
            "brand": _value(m.brand),
            "gender": _value(m.gender),
            "age_group": _value("kids" if m.gender == "kids" else "adult"),
            "material": _value(m.materials),
            "composition": _localized(m.composition) if self.rng.random() > 0.05 else [],
            "country_of_origin": _value(m.country),
            "certifications": _value(m.certifications),
            "season": _value(m.season),
            "release_date": _value(m.release_date),
            "price": _value(self._prices(m.price)),
            **self._family_values(m),
        }
        if m.on_sale:
            values["sale_price"] = _value(self._prices(round(m.price * 0.7) - 0.01))
        return {
            "code": m.code,
            "family_variant": m.family_variant,
            "categories": m.categories,
            "workflow_status": m.workflow,
            "values": {code: entries for code, entries in values.items() if entries},
            **self._associations(m),
        }

    def _drop(self, m: _ModelFacts, templates: dict, missing: dict) -> dict:
        """Texts from ``templates`` per locale, each left out with the given probability."""
        return {
            loc: text.format(name=m.names.get(loc) or m.names["en_US"], colors=len(m.colors))
            for loc, text in templates.items()
            if self.rng.random() >= missing.get(loc, 0)
        }

    def _descriptions(self, m: _ModelFacts) -> list[dict]:
        """Rich text per channel and locale; ~30% of models have no German description."""
        no_german = self.rng.random() < 0.3
        intros = {loc: self.rng.choice(data.INTROS[loc]) for loc in data.LOCALES}
        entries = []
        for channel in data.CHANNELS:
            for loc in channel["locales"]:
                if loc == "de_DE" and no_german:
                    continue
                html = _description_html(m, loc, intros[loc], channel["code"])
                entries.append({"locale": loc, "scope": channel["code"], "data": html})
        return entries

    def _prices(self, eur: float) -> list[dict]:
        prices = [{"amount": f"{eur:.2f}", "currency": "EUR"}]
        if self.rng.random() > 0.05:  # a few USD prices missing: incomplete for ecommerce
            prices.append({"amount": f"{int(eur * 1.1) + 0.99:.2f}", "currency": "USD"})
        return prices

    def _family_values(self, m: _ModelFacts) -> dict:
        """Values only some families have (fit, rise, heel height, capacity…)."""
        values = {}
        for draw in FAMILY_VALUES[m.family]:
            values.update(draw(self.rng))
        return values

    def _associations(self, m: _ModelFacts) -> dict:
        """Cross-sell earlier models of other families (they exist by now), now and then."""
        others = [code for f, codes in self.recent.items() if f != m.family for code in codes]
        if not others or self.rng.random() > 0.3:
            return {}
        targets = sorted(set(self.rng.sample(others, min(2, len(others)))))
        return {"associations": {"cross_sell": {"products": [], "product_models": targets}}}

    # colours and sizes --------------------------------------------------------------------

    def _add_color(self, article: Article, m: _ModelFacts, color: str) -> None:
        code = f"{m.code}-{color.upper()}"
        media = {"images": _value([f"{code.lower()}-{n}" for n in (1, 2, 3)])}
        if self.rng.random() < 0.05:
            media.pop("images")
        if self.rng.random() > 0.25:  # a quarter lack the print visual
            media["print_image"] = _value([f"{code.lower()}-print"])
        if m.family == "bags":  # one level: the colour is the product
            article.variants.append(self._variant(m, code, {"color": _value(color), **media}))
            return
        values = {"color": _value(color), **media}
        article.models.append(
            {"code": code, "parent": m.code, "workflow_status": m.workflow, "values": values}
        )
        sizes = data.size_codes(m.family, m.gender)
        if self.rng.random() < 0.2:  # some colours miss the smallest or largest size
            sizes = sizes[1:] if self.rng.random() < 0.5 else sizes[:-1]
        for size in sizes:
            article.variants.append(
                self._variant(m, f"{code}-{size.upper()}", {"size": _value(size)}, parent=code)
            )

    def _variant(self, m: _ModelFacts, identifier: str, values: dict, parent=None) -> dict:
        rng = self.rng
        self.eans += 1
        if rng.random() > 0.08:
            values["ean"] = _value(ean13(self.eans))
        if rng.random() > 0.10:
            grams = m.weight + rng.randint(-20, 40)
            values["weight"] = _metric(grams, "GRAM")
        workflow = m.workflow if rng.random() > 0.1 else _pick(rng, data.WORKFLOW_MIX)
        return {
            "identifier": identifier,
            "parent": parent or m.code,
            "enabled": m.lifecycle != "discontinued" and rng.random() > 0.03,
            "categories": m.categories,
            "workflow_status": workflow,
            "lifecycle": m.lifecycle,
            "values": values,
        }


def _metric(amount, unit: str) -> list[dict]:
    return _value({"amount": str(amount), "unit": unit})


def _clothing(rng: Random) -> dict:
    care = {"en_US": 0, "fr_FR": 0.05, "de_DE": 0.15}  # chance of a missing translation
    return {
        "fit": _value(rng.choice(data.FITS)[0]),
        "pattern": _value(rng.choice(data.PATTERNS)[0] if rng.random() < 0.4 else "plain"),
        "washable": _value(rng.random() < 0.9),
        "care_instructions": _localized(
            {k: v for k, v in data.CARE["textile"].items() if rng.random() >= care[k]}
        ),
    }


def _sleeves(rng: Random) -> dict:
    return {"sleeve_length": _value(rng.choice(data.SLEEVES)[0])}


def _dress(rng: Random) -> dict:
    return {"dress_length": _value(rng.choice(data.DRESS_LENGTHS)[0])}


def _jeans(rng: Random) -> dict:
    return {
        "rise": _value(rng.choice(data.RISES)[0]),
        "inseam": _metric(rng.choice((76, 78, 81, 84)), "CENTIMETER"),
    }


def _sneakers(rng: Random) -> dict:
    return {
        "heel_height": _metric(f"{rng.uniform(2, 4.5):.1f}", "CENTIMETER"),
        "closure": _value(rng.choice(("laces", "laces", "velcro", "slip_on"))),
        "waterproof": _value(rng.random() < 0.3),
    }


def _bags(rng: Random) -> dict:
    return {
        "capacity": _metric(rng.choice((5, 8, 12, 20, 35)), "LITER"),
        "closure": _value(rng.choice(("zip", "magnetic", "flap"))),
        "waterproof": _value(rng.random() < 0.3),
    }


#: family → functions drawing the values only that family has
FAMILY_VALUES = {
    "tshirts": (_clothing, _sleeves),
    "dresses": (_clothing, _sleeves, _dress),
    "jeans": (_clothing, _jeans),
    "sneakers": (_sneakers,),
    "bags": (_bags,),
}


@dataclass
class _ModelFacts:
    """The random choices describing one root model, drawn once."""

    family: str
    code: str
    gender: str
    line: str
    brand: str
    materials: list
    colors: list
    season: str
    lifecycle: str
    workflow: str
    price: float
    weight: int
    country: str
    on_sale: bool
    names: dict = field(default_factory=dict)
    composition: dict = field(default_factory=dict)
    certifications: list = field(default_factory=list)
    release_date: str = ""
    categories: list = field(default_factory=list)

    @property
    def family_variant(self) -> str:
        return data.family_variant_code(self.family)

    @classmethod
    def draw(cls, rng: Random, family: str, number: int) -> _ModelFacts:
        """Draw the facts of root model ``number`` of ``family``."""
        _share, prefix, (least, most) = data.FAMILY_MIX[family]
        gender = _pick(rng, data.GENDER_MIX[family])
        main = rng.choice(data.FAMILY_MATERIALS[family])
        low, high = data.PRICES[family]
        grams = rng.randint(*data.WEIGHTS[family]) // (2 if gender == "kids" else 1)
        facts = cls(
            family=family,
            code=f"{prefix}-{number:05d}",
            gender=gender,
            line=rng.choice(data.LINES),
            brand=rng.choice(data.BRANDS)[0],
            materials=_materials(rng, family, main),
            colors=rng.sample(data.FAMILY_COLORS[family], rng.randint(least, most)),
            season=rng.choice(data.SEASONS)[0],
            lifecycle=_pick(rng, data.LIFECYCLE_MIX),
            workflow=_pick(rng, data.WORKFLOW_MIX),
            price=rng.randint(low, high) - 0.01 if gender != "kids" else rng.randint(12, 39) - 0.01,
            weight=grams,
            country=rng.choice(data.COUNTRIES)[0],
            on_sale=rng.random() < 0.15,
        )
        facts.complete(rng, main)
        return facts

    def complete(self, rng: Random, main: str) -> None:
        """Fill in what derives from the drawn facts: names, composition, dates, categories."""
        style = rng.choice(data.NAMES[self.family]["styles"])
        self.names = _names(self.family, self.line, main, style)
        for loc, missing in (("fr_FR", 0.04), ("de_DE", 0.06)):
            if rng.random() < missing:
                del self.names[loc]
        self.composition = _composition(self.materials, rng.randint(90, 98))
        sustainable = {"organic_cotton", "recycled_polyester"} & set(self.materials)
        self.certifications = sorted(
            ({"gots"} if "organic_cotton" in self.materials else set())
            | ({"grs"} if "recycled_polyester" in self.materials else set())
            | ({"oeko_tex"} if rng.random() < 0.3 else set())
        )
        first, last = (date.fromisoformat(d) for d in data.SEASON_DATES[self.season])
        self.release_date = (first + timedelta(rng.randint(0, (last - first).days))).isoformat()
        self.categories = list(data.MAIN_CATEGORIES[(self.family, self.gender)])
        extras = {
            "new_arrivals": self.lifecycle == "new",
            "sale": self.on_sale,
            "sustainable": bool(sustainable),
            "bestsellers": rng.random() < 0.1,
        }
        self.categories += [code for code, wanted in extras.items() if wanted]


def _materials(rng: Random, family: str, main: str) -> list[str]:
    extra = {"jeans": "elastane", "tshirts": "elastane", "sneakers": "rubber"}.get(family)
    return [main, extra] if extra and rng.random() < 0.6 else [main]


def _material_word(code: str, locale: str) -> str:
    words = dict(zip(data.LOCALES, data.MATERIAL_WORDS[code], strict=True))
    if locale == "de_DE":
        return data.GERMAN_DATIVE.get(code, words[locale])
    return words[locale]


def _names(family: str, line: str, material: str, style: tuple) -> dict:
    templates = data.NAMES[family]
    names = {}
    for i, loc in enumerate(data.LOCALES):
        text = templates[loc].format(
            line=line, material=_material_word(material, loc), style=style[i]
        )
        names[loc] = text[0].upper() + text[1:]
    return names


def _composition(materials: list[str], main_share: int) -> dict:
    shares = [main_share, 100 - main_share] if len(materials) == 2 else [100]
    texts = {}
    for i, loc in enumerate(data.LOCALES):
        space = "" if loc == "en_US" else " "
        parts = [
            f"{share}{space}% {data.MATERIAL_WORDS[code][i]}"
            for share, code in zip(shares, materials, strict=True)
        ]
        texts[loc] = ", ".join(parts)
    return texts


def _description_html(m: _ModelFacts, locale: str, intro: str, channel: str) -> str:
    """Rich text for one channel: long with a list (ecommerce), one paragraph otherwise."""
    i = data.LOCALES.index(locale)
    season = next(row[1 + i] for row in data.SEASONS if row[0] == m.season)
    brand = next(row[1] for row in data.BRANDS if row[0] == m.brand)
    name = m.names.get(locale) or m.names["en_US"]
    lead = intro.format(name=name, season=season, brand=brand)
    if channel == "print":
        return f"<p>{lead}</p>"
    made_of, made_in, colours = data.DETAILS[locale]
    details = [
        made_of.format(composition=m.composition[locale]),
        made_in.format(made_in=data.MADE_IN[m.country][i]),
        colours.format(colors=len(m.colors)),
    ]
    if channel == "marketplace":
        return f"<p>{lead} {' '.join(details)}</p>"
    items = "".join(f"<li>{line}</li>" for line in details)
    return f"<p>{lead}</p><ul>{items}</ul>"


def _trim(article: Article, keep: int) -> Article:
    """The article with only its first ``keep`` variants (and the models they need)."""
    variants = article.variants[:keep]
    parents = {v["parent"] for v in variants}
    root = article.models[0]
    models = [root, *(m for m in article.models[1:] if m["code"] in parents)]
    return Article(models=models, variants=variants)


# --- loading ------------------------------------------------------------------------------


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Group articles until they hold at least ``size`` variants."""
    batch, count = [], 0
    for article in articles:
        batch.append(article)
        count += len(article.variants)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _check_empty(session) -> None:
    products = session.scalar(select(func.count()).select_from(Product))
    if products:
        raise DemoError(
            f"the catalogue already has {products} products; the demo loads into an empty "
            "catalogue only (use a fresh database)"
        )
    if session.scalar(select(Family.id).limit(1)) or session.scalar(select(Attribute.id).limit(1)):
        raise DemoError(
            "the catalogue already has attributes or families; the demo loads into an "
            "empty catalogue only (use a fresh database)"
        )


def _import_batch(session, batch: list[Article], actor: Actor, known: Structure) -> int:
    models = [model for article in batch for model in article.models]
    result = bulk.import_product_models(session, models, actor, structure=known)
    _raise_on_failure(result, "product model")
    variants = [variant for article in batch for variant in article.variants]
    result = bulk.import_products(
        session, variants, actor, batch_size=BATCH_VARIANTS, structure=known
    )
    _raise_on_failure(result, "product")
    return result.created


def _raise_on_failure(result, what: str) -> None:
    if result.failed:
        index, key, message = result.failed[0]
        raise DemoError(f"demo {what} {key!r} was refused ({len(result.failed)} in all): {message}")


def load_demo(
    session,
    products: int | None = None,
    seed: int = 42,
    on_batch: Callable[[int], None] | None = None,
) -> dict:
    """Load the demo catalogue with ``products`` variants (default 1,200) into ``session``.

    Flushes, never commits; ``on_batch(created_so_far)`` is called after each batch (the CLI
    commits there). Returns counts per kind of entity.
    """
    actor = Actor.system()
    _check_empty(session)
    build_structure(session, actor)
    known = Structure.load(session)
    generator = CatalogueGenerator(seed)
    created = 0
    for batch in _batches(generator.articles(products or DEFAULT_PRODUCTS), BATCH_VARIANTS):
        created += _import_batch(session, batch, actor, known)
        if on_batch is not None:
            on_batch(created)
    save_profile(session, DEMO_PROFILE)
    counts = summary(session)
    for extend in _demo_extensions():
        counts.update(extend(session))
    return counts


def _demo_extensions() -> list[Callable]:
    """Demo loaders of the plugins (e.g. the DAM's pictures): ``app.extensions
    ["vitrine_demo_loaders"]`` holds callables ``(session) -> counts``."""
    if not has_app_context():
        return []
    return list(current_app.extensions.get("vitrine_demo_loaders", []))


#: An import profile to try the Imports page with: Akeneo-style columns map themselves
#: (``sku;family;name-en_US;color;price-EUR…``).
DEMO_PROFILE = {
    "code": "demo-supplier",
    "label": "Demo supplier (Akeneo-style columns)",
    "source": "supplier:demo",
    "reader": {},
    "mapping": {"key": {"column": "sku"}, "auto": True},
}


def summary(session) -> dict:
    """Counts of what the catalogue holds, for messages."""
    kinds = {
        "locales": Locale,
        "currencies": Currency,
        "channels": Channel,
        "categories": Category,
        "attributes": Attribute,
        "families": Family,
        "family variants": FamilyVariant,
        "product models": ProductModel,
        "products": Product,
    }
    return {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in kinds.items()
    }


def refresh_statistics(session) -> None:
    """``ANALYZE`` after a bulk load, so the query planner sees the real table sizes.

    Without it, PostgreSQL plans with empty-table estimates until autovacuum gets to the
    tables (never, when it is off) and picks the wrong indexes: completeness lookups of
    one list page scanned 100,000 rows instead of 50.
    """
    session.execute(text("ANALYZE"))


# --- command ------------------------------------------------------------------------------


@click.command("demo")
@click.option(
    "--products",
    type=click.IntRange(min=1),
    default=None,
    help=f"Number of variants to generate (default {DEFAULT_PRODUCTS}).",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed.")
@with_appcontext
def demo_command(products: int | None, seed: int) -> None:
    """Load the demo fashion catalogue into an empty database (commits per batch)."""
    session = db.session
    started = time.perf_counter()
    shown = [0]

    def progress(created: int) -> None:
        session.commit()
        if created - shown[0] >= 10_000:
            shown[0] = created
            click.echo(f"  {created} products ({time.perf_counter() - started:.0f} s)")

    try:
        counts = load_demo(session, products=products, seed=seed, on_batch=progress)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    session.commit()
    refresh_statistics(session)
    session.commit()
    elapsed = time.perf_counter() - started
    listed = ", ".join(f"{count} {name}" for name, count in counts.items())
    click.echo(f"Loaded the demo catalogue in {elapsed:.1f} s: {listed}.")
