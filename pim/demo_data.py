"""Static definitions of the demo catalogue: structure, option lists and word lists.

:mod:`pim.demo` turns these into services calls and generated products. Everything here is
plain data, labelled in the three demo locales (en_US, fr_FR, de_DE).
"""

from __future__ import annotations

LOCALES = ("en_US", "fr_FR", "de_DE")
CURRENCIES = ("EUR", "USD")


def labels(en: str, fr: str, de: str) -> dict:
    """Labels in the three demo locales."""
    return {"en_US": en, "fr_FR": fr, "de_DE": de}


CHANNELS = [
    {
        "code": "ecommerce",
        "labels": labels("E-commerce", "E-commerce", "Onlineshop"),
        "locales": ["en_US", "fr_FR", "de_DE"],
        "currencies": ["EUR", "USD"],
        "category_tree": "master",
    },
    {
        "code": "marketplace",
        "labels": labels("Marketplace", "Place de marché", "Marktplatz"),
        "locales": ["en_US", "de_DE"],
        "currencies": ["EUR"],
        "category_tree": "master",
    },
    {
        "code": "print",
        "labels": labels("Print catalogue", "Catalogue papier", "Printkatalog"),
        "locales": ["fr_FR", "en_US"],
        "currencies": ["EUR"],
        "category_tree": "master",
    },
]

#: (code, parent, labels) in creation order; ``master`` is the tree of every channel.
CATEGORIES = [
    ("master", None, labels("Master catalogue", "Catalogue principal", "Hauptkatalog")),
    ("women", "master", labels("Women", "Femme", "Damen")),
    ("men", "master", labels("Men", "Homme", "Herren")),
    ("kids", "master", labels("Kids", "Enfant", "Kinder")),
    ("highlights", "master", labels("Highlights", "À la une", "Highlights")),
    ("women_tops", "women", labels("Tops & T-shirts", "Hauts & T-shirts", "Tops & T-Shirts")),
    ("women_dresses", "women", labels("Dresses", "Robes", "Kleider")),
    ("women_jeans", "women", labels("Jeans", "Jeans", "Jeans")),
    ("women_shoes", "women", labels("Shoes", "Chaussures", "Schuhe")),
    ("women_sneakers", "women_shoes", labels("Sneakers", "Baskets", "Sneaker")),
    ("women_bags", "women", labels("Bags", "Sacs", "Taschen")),
    ("men_tops", "men", labels("T-shirts & polos", "T-shirts & polos", "T-Shirts & Polos")),
    ("men_jeans", "men", labels("Jeans", "Jeans", "Jeans")),
    ("men_shoes", "men", labels("Shoes", "Chaussures", "Schuhe")),
    ("men_sneakers", "men_shoes", labels("Sneakers", "Baskets", "Sneaker")),
    ("men_bags", "men", labels("Bags", "Sacs", "Taschen")),
    ("kids_tops", "kids", labels("Tops", "Hauts", "Oberteile")),
    ("kids_dresses", "kids", labels("Dresses", "Robes", "Kleider")),
    ("kids_jeans", "kids", labels("Jeans", "Jeans", "Jeans")),
    ("kids_shoes", "kids", labels("Shoes", "Chaussures", "Schuhe")),
    ("new_arrivals", "highlights", labels("New arrivals", "Nouveautés", "Neuheiten")),
    ("bestsellers", "highlights", labels("Bestsellers", "Meilleures ventes", "Bestseller")),
    ("sustainable", "highlights", labels("Sustainable", "Responsable", "Nachhaltig")),
    ("sale", "highlights", labels("Sale", "Soldes", "Sale")),
]

ATTRIBUTE_GROUPS = [
    ("marketing", labels("Marketing", "Marketing", "Marketing")),
    ("product", labels("Product", "Produit", "Produkt")),
    (
        "composition_care",
        labels("Composition & care", "Composition & entretien", "Material & Pflege"),
    ),
    ("logistics", labels("Logistics", "Logistique", "Logistik")),
    ("media", labels("Media", "Médias", "Medien")),
    ("commercial", labels("Commercial", "Commercial", "Vertrieb")),
]


def options(rows) -> list[dict]:
    """Options from ``(code, en, fr, de)`` or ``(code, en, fr, de, swatch)`` rows."""
    return [
        {"code": row[0], "labels": labels(*row[1:4]), "swatch": row[4] if len(row) > 4 else None}
        for row in rows
    ]


BRANDS = [
    ("vitrine", "Vitrine", "Vitrine", "Vitrine"),
    ("maison_lune", "Maison Lune", "Maison Lune", "Maison Lune"),
    ("nordkap", "Nordkap", "Nordkap", "Nordkap"),
    ("atelier_sud", "Atelier Sud", "Atelier Sud", "Atelier Sud"),
    ("urban_fox", "Urban Fox", "Urban Fox", "Urban Fox"),
    ("blue_harbour", "Blue Harbour", "Blue Harbour", "Blue Harbour"),
]

COLORS = [
    ("black", "Black", "Noir", "Schwarz", "#111111"),
    ("white", "White", "Blanc", "Weiß", "#ffffff"),
    ("ecru", "Ecru", "Écru", "Ecru", "#f3efe0"),
    ("navy", "Navy", "Marine", "Marineblau", "#1f2a44"),
    ("grey", "Heather grey", "Gris chiné", "Grau meliert", "#9a9a9a"),
    ("red", "Red", "Rouge", "Rot", "#c0282d"),
    ("burgundy", "Burgundy", "Bordeaux", "Bordeaux", "#6d1a2a"),
    ("khaki", "Khaki", "Kaki", "Khaki", "#7a7550"),
    ("sage", "Sage green", "Vert sauge", "Salbeigrün", "#9caf88"),
    ("sky", "Sky blue", "Bleu ciel", "Himmelblau", "#8ec5e8"),
    ("pink", "Powder pink", "Rose poudré", "Puderrosa", "#e8b4b8"),
    ("mustard", "Mustard", "Moutarde", "Senfgelb", "#d4a017"),
    ("camel", "Camel", "Camel", "Camel", "#c19a6b"),
    ("indigo", "Indigo", "Indigo", "Indigo", "#2e3a6e"),
    ("stone", "Stone wash", "Délavé", "Stone-washed", "#8fa3bf"),
]

#: family → the colours it comes in
FAMILY_COLORS = {
    "tshirts": ["black", "white", "ecru", "navy", "grey", "red", "sage", "sky", "pink", "mustard"],
    "dresses": ["black", "navy", "red", "burgundy", "sage", "pink", "ecru", "mustard"],
    "jeans": ["indigo", "stone", "black", "grey", "ecru"],
    "sneakers": ["white", "black", "navy", "grey", "camel", "sage"],
    "bags": ["black", "camel", "navy", "burgundy", "khaki", "ecru"],
}

ADULT_SIZES = [
    ("xs", "XS", "XS", "XS"),
    ("s", "S", "S", "S"),
    ("m", "M", "M", "M"),
    ("l", "L", "L", "L"),
    ("xl", "XL", "XL", "XL"),
    ("xxl", "XXL", "XXL", "XXL"),
]
KIDS_SIZES = [(f"age{n}", f"{n} years", f"{n} ans", f"{n} Jahre") for n in (4, 6, 8, 10, 12)]
JEANS_SIZES = [(f"fr{n}", str(n), str(n), str(n)) for n in (34, 36, 38, 40, 42, 44)]
SHOE_SIZES = [(f"eu{n}", str(n), str(n), str(n)) for n in range(30, 46)]
SIZES = ADULT_SIZES + KIDS_SIZES + JEANS_SIZES + SHOE_SIZES


def size_codes(family: str, gender: str) -> list[str]:
    """The size range of a family for a gender (kids have their own)."""
    kids = gender == "kids"
    if family == "sneakers":
        return [f"eu{n}" for n in (range(30, 36) if kids else range(36, 46))]
    if kids:
        return [row[0] for row in KIDS_SIZES]
    if family == "jeans":
        return [row[0] for row in JEANS_SIZES]
    return [row[0] for row in ADULT_SIZES]


MATERIALS = [
    ("organic_cotton", "organic cotton", "coton bio", "Bio-Baumwolle"),
    ("cotton", "cotton", "coton", "Baumwolle"),
    ("linen", "linen", "lin", "Leinen"),
    ("wool", "merino wool", "laine mérinos", "Merinowolle"),
    ("viscose", "viscose", "viscose", "Viskose"),
    ("recycled_polyester", "recycled polyester", "polyester recyclé", "recyceltes Polyester"),
    ("elastane", "elastane", "élasthanne", "Elasthan"),
    ("denim", "denim", "denim", "Denim"),
    ("leather", "leather", "cuir", "Leder"),
    ("suede", "suede", "daim", "Wildleder"),
    ("canvas", "canvas", "toile", "Canvas"),
    ("rubber", "rubber", "caoutchouc", "Gummi"),
]
MATERIAL_WORDS = {row[0]: row[1:] for row in MATERIALS}

#: family → main materials the article can be made of (first word of the name)
FAMILY_MATERIALS = {
    "tshirts": ["organic_cotton", "cotton", "linen", "wool"],
    "dresses": ["viscose", "linen", "cotton", "organic_cotton"],
    "jeans": ["denim", "organic_cotton", "cotton"],
    "sneakers": ["leather", "suede", "canvas"],
    "bags": ["leather", "canvas", "suede", "recycled_polyester"],
}

COUNTRIES = [
    ("PT", "Portugal", "Portugal", "Portugal"),
    ("IT", "Italy", "Italie", "Italien"),
    ("TR", "Turkey", "Turquie", "Türkei"),
    ("IN", "India", "Inde", "Indien"),
    ("BD", "Bangladesh", "Bangladesh", "Bangladesch"),
    ("VN", "Vietnam", "Viêt Nam", "Vietnam"),
    ("FR", "France", "France", "Frankreich"),
]
SEASONS = [
    ("SS25", "Spring/Summer 2025", "Printemps/Été 2025", "Frühjahr/Sommer 2025"),
    ("FW25", "Fall/Winter 2025", "Automne/Hiver 2025", "Herbst/Winter 2025"),
    ("SS26", "Spring/Summer 2026", "Printemps/Été 2026", "Frühjahr/Sommer 2026"),
    ("FW26", "Fall/Winter 2026", "Automne/Hiver 2026", "Herbst/Winter 2026"),
]
#: season → (first release day, last release day) as ISO dates
SEASON_DATES = {
    "SS25": ("2025-01-15", "2025-05-31"),
    "FW25": ("2025-07-15", "2025-11-30"),
    "SS26": ("2026-01-15", "2026-05-31"),
    "FW26": ("2026-07-15", "2026-11-30"),
}
GENDERS = [
    ("women", "Women", "Femme", "Damen"),
    ("men", "Men", "Homme", "Herren"),
    ("kids", "Kids", "Enfant", "Kinder"),
    ("unisex", "Unisex", "Mixte", "Unisex"),
]
AGE_GROUPS = [
    ("adult", "Adult", "Adulte", "Erwachsene"),
    ("kids", "Kids", "Enfant", "Kinder"),
]
FITS = [
    ("slim", "Slim", "Ajusté", "Slim"),
    ("regular", "Regular", "Regular", "Regular"),
    ("relaxed", "Relaxed", "Décontracté", "Relaxed"),
    ("oversized", "Oversized", "Oversize", "Oversized"),
]
PATTERNS = [
    ("plain", "Plain", "Uni", "Uni"),
    ("striped", "Striped", "Rayé", "Gestreift"),
    ("printed", "Printed", "Imprimé", "Bedruckt"),
    ("floral", "Floral", "Fleuri", "Geblümt"),
    ("checked", "Checked", "À carreaux", "Kariert"),
]
SLEEVES = [
    ("sleeveless", "Sleeveless", "Sans manches", "Ärmellos"),
    ("short", "Short sleeves", "Manches courtes", "Kurzarm"),
    ("long", "Long sleeves", "Manches longues", "Langarm"),
]
DRESS_LENGTHS = [
    ("mini", "Mini", "Courte", "Mini"),
    ("midi", "Midi", "Mi-longue", "Midi"),
    ("maxi", "Maxi", "Longue", "Maxi"),
]
RISES = [
    ("low", "Low rise", "Taille basse", "Niedrige Leibhöhe"),
    ("mid", "Mid rise", "Taille normale", "Mittlere Leibhöhe"),
    ("high", "High rise", "Taille haute", "Hohe Leibhöhe"),
]
CLOSURES = [
    ("laces", "Laces", "Lacets", "Schnürung"),
    ("velcro", "Hook and loop", "Scratch", "Klettverschluss"),
    ("slip_on", "Slip-on", "Sans lacets", "Slip-on"),
    ("zip", "Zip", "Zip", "Reißverschluss"),
    ("magnetic", "Magnetic snap", "Fermoir aimanté", "Magnetverschluss"),
    ("flap", "Flap", "Rabat", "Überschlag"),
]
CERTIFICATIONS = [
    ("gots", "GOTS", "GOTS", "GOTS"),
    ("oeko_tex", "OEKO-TEX Standard 100", "OEKO-TEX Standard 100", "OEKO-TEX Standard 100"),
    ("fair_wear", "Fair Wear", "Fair Wear", "Fair Wear"),
    ("grs", "Global Recycled Standard", "Global Recycled Standard", "Global Recycled Standard"),
    ("lwg", "Leather Working Group", "Leather Working Group", "Leather Working Group"),
]


#: (code, type, group, en, fr, de) in display order; rules and options in ATTRIBUTE_RULES
ATTRIBUTE_TABLE = [
    ("sku", "identifier", "product", "SKU", "Référence", "Artikelnummer"),
    ("name", "text", "marketing", "Name", "Nom", "Name"),
    ("description", "textarea", "marketing", "Description", "Description", "Beschreibung"),
    ("short_description", "textarea", "marketing", "Short description", "Description courte",
     "Kurzbeschreibung"),
    ("collection", "text", "marketing", "Collection", "Collection", "Kollektion"),
    ("brand", "simple_select", "product", "Brand", "Marque", "Marke"),
    ("color", "simple_select", "product", "Colour", "Couleur", "Farbe"),
    ("size", "simple_select", "product", "Size", "Taille", "Größe"),
    ("gender", "simple_select", "product", "Gender", "Genre", "Geschlecht"),
    ("age_group", "simple_select", "product", "Age group", "Tranche d'âge", "Altersgruppe"),
    ("fit", "simple_select", "product", "Fit", "Coupe", "Passform"),
    ("pattern", "simple_select", "product", "Pattern", "Motif", "Muster"),
    ("sleeve_length", "simple_select", "product", "Sleeve length", "Longueur de manches",
     "Ärmellänge"),
    ("dress_length", "simple_select", "product", "Dress length", "Longueur de robe", "Kleidlänge"),
    ("rise", "simple_select", "product", "Rise", "Hauteur de taille", "Leibhöhe"),
    ("inseam", "metric", "product", "Inseam", "Longueur d'entrejambe", "Innenbeinlänge"),
    ("heel_height", "metric", "product", "Heel height", "Hauteur de talon", "Absatzhöhe"),
    ("closure", "simple_select", "product", "Closure", "Fermeture", "Verschluss"),
    ("capacity", "metric", "product", "Capacity", "Contenance", "Fassungsvermögen"),
    ("material", "multi_select", "composition_care", "Material", "Matière", "Material"),
    ("composition", "text", "composition_care", "Composition", "Composition", "Zusammensetzung"),
    ("care_instructions", "textarea", "composition_care", "Care instructions",
     "Conseils d'entretien", "Pflegehinweise"),
    ("washable", "boolean", "composition_care", "Machine washable", "Lavable en machine",
     "Waschbar"),
    ("waterproof", "boolean", "composition_care", "Waterproof", "Imperméable", "Wasserdicht"),
    ("certifications", "multi_select", "composition_care", "Certifications", "Certifications",
     "Zertifizierungen"),
    ("country_of_origin", "simple_select", "logistics", "Country of origin", "Pays d'origine",
     "Herkunftsland"),
    ("ean", "text", "logistics", "EAN", "EAN", "EAN"),
    ("weight", "metric", "logistics", "Weight", "Poids", "Gewicht"),
    ("images", "asset_collection", "media", "Images", "Images", "Bilder"),
    ("print_image", "asset_collection", "media", "Print image", "Visuel print", "Printbild"),
    ("season", "simple_select", "commercial", "Season", "Saison", "Saison"),
    ("release_date", "date", "commercial", "Release date", "Date de sortie", "Erscheinungsdatum"),
    ("price", "price", "commercial", "Price", "Prix", "Preis"),
    ("sale_price", "price", "commercial", "Sale price", "Prix soldé", "Angebotspreis"),
]  # fmt: skip


def _metric(family: str, unit: str, maximum: str) -> dict:
    return {"metric_family": family, "default_unit": unit, "min_value": "0", "max_value": maximum}


LOCAL = {"localizable": True}
ATTRIBUTE_RULES = {
    "name": {"max_length": 150, **LOCAL},
    "description": {"rich_text": True, "localizable": True, "scopable": True},
    "short_description": {"max_length": 300, **LOCAL},
    "composition": LOCAL,
    "care_instructions": LOCAL,
    "brand": {"options": options(BRANDS)},
    "color": {"options": options(COLORS)},
    "size": {"options": options(SIZES)},
    "gender": {"options": options(GENDERS)},
    "age_group": {"options": options(AGE_GROUPS)},
    "fit": {"options": options(FITS)},
    "pattern": {"options": options(PATTERNS)},
    "sleeve_length": {"options": options(SLEEVES)},
    "dress_length": {"options": options(DRESS_LENGTHS)},
    "rise": {"options": options(RISES)},
    "closure": {"options": options(CLOSURES)},
    "material": {
        "options": options((c, *(w[0].upper() + w[1:] for w in ws)) for c, *ws in MATERIALS)
    },
    "certifications": {"options": options(CERTIFICATIONS)},
    "country_of_origin": {"options": options(COUNTRIES)},
    "season": {"options": options(SEASONS)},
    "inseam": _metric("Length", "CENTIMETER", "120"),
    "heel_height": _metric("Length", "CENTIMETER", "20"),
    "capacity": _metric("Volume", "LITER", "100"),
    "weight": _metric("Weight", "GRAM", "5000"),
    "ean": {"unique": True, "regex": r"^\d{13}$"},
    "price": {"min_value": "0"},
    "sale_price": {"min_value": "0"},
}


def attribute_payloads() -> list[dict]:
    """:func:`pim.services.structure.create_attribute` payloads, in display order."""
    return [
        {
            "code": code,
            "type": kind,
            "group": group,
            "labels": labels(en, fr, de),
            "sort_order": order,
            **ATTRIBUTE_RULES.get(code, {}),
        }
        for order, (code, kind, group, en, fr, de) in enumerate(ATTRIBUTE_TABLE)
    ]


#: attributes every family has
COMMON_ATTRIBUTES = [
    "sku", "name", "description", "short_description", "collection", "brand", "color",
    "gender", "age_group", "material", "composition", "country_of_origin", "certifications",
    "ean", "weight", "images", "print_image", "season", "release_date", "price", "sale_price",
]  # fmt: skip
CLOTHING = ["size", "fit", "pattern", "care_instructions", "washable"]

#: what each channel needs, before the family-specific additions
REQUIREMENTS = {
    "ecommerce": [
        "sku", "name", "description", "short_description", "brand", "color", "price",
        "images", "composition", "material",
    ],
    "marketplace": [
        "sku", "name", "description", "brand", "color", "price", "ean", "images", "weight",
    ],
    "print": ["sku", "name", "short_description", "color", "price", "print_image"],
}  # fmt: skip

FAMILIES = [
    {
        "code": "tshirts",
        "labels": labels("T-shirts", "T-shirts", "T-Shirts"),
        "extra": [*CLOTHING, "sleeve_length"],
        "required": {"ecommerce": ["size", "care_instructions"], "marketplace": ["size"]},
    },
    {
        "code": "dresses",
        "labels": labels("Dresses", "Robes", "Kleider"),
        "extra": [*CLOTHING, "sleeve_length", "dress_length"],
        "required": {"ecommerce": ["size", "care_instructions"], "marketplace": ["size"]},
    },
    {
        "code": "jeans",
        "labels": labels("Jeans", "Jeans", "Jeans"),
        "extra": [*CLOTHING, "rise", "inseam"],
        "required": {"ecommerce": ["size", "care_instructions", "fit"], "marketplace": ["size"]},
    },
    {
        "code": "sneakers",
        "labels": labels("Sneakers", "Baskets", "Sneaker"),
        "extra": ["size", "heel_height", "closure", "waterproof"],
        "required": {"ecommerce": ["size"], "marketplace": ["size"]},
    },
    {
        "code": "bags",
        "labels": labels("Bags", "Sacs", "Taschen"),
        "extra": ["closure", "capacity", "waterproof"],
        "required": {"ecommerce": ["capacity"]},
    },
]

#: level-1 (colour) and level-2 (size) attributes of the two-level family variants
COLOR_LEVEL = ["color", "images", "print_image"]
SIZE_LEVEL = ["size", "ean", "weight"]


def family_payload(spec: dict) -> dict:
    """The :func:`pim.services.structure.create_family` payload of a family spec."""
    attributes = [*COMMON_ATTRIBUTES, *spec["extra"]]
    requirements = {
        channel: [*codes, *spec["required"].get(channel, [])]
        for channel, codes in REQUIREMENTS.items()
    }
    return {
        "code": spec["code"],
        "labels": spec["labels"],
        "attributes": attributes,
        "label_attribute": "name",
        "image_attribute": "images",
        "requirements": requirements,
    }


def family_variant_code(family: str) -> str:
    """``bags_by_color`` (one level) or ``<family>_by_color_size`` (two levels)."""
    return f"{family}_by_color" + ("" if family == "bags" else "_size")


def family_variant_payload(spec: dict) -> dict:
    """Colour then size for clothes and shoes; colour only for bags."""
    code = spec["code"]
    if code == "bags":
        sets = [{"level": 1, "axes": ["color"], "attributes": [*COLOR_LEVEL, "ean", "weight"]}]
        names = labels("By colour", "Par couleur", "Nach Farbe")
    else:
        sets = [
            {"level": 1, "axes": ["color"], "attributes": COLOR_LEVEL},
            {"level": 2, "axes": ["size"], "attributes": SIZE_LEVEL},
        ]
        names = labels("By colour and size", "Par couleur et taille", "Nach Farbe und Größe")
    return {
        "code": family_variant_code(code),
        "family": code,
        "labels": names,
        "variant_attribute_sets": sets,
    }


ASSOCIATION_TYPES = [
    ("cross_sell", labels("Cross-sell", "Vente croisée", "Cross-Selling")),
    ("upsell", labels("Upsell", "Montée en gamme", "Upselling")),
    ("substitution", labels("Substitution", "Substitution", "Ersatzartikel")),
    ("pack", labels("Pack", "Lot", "Set")),
]


# --- generation: proportions, names and texts ------------------------------------------

#: family → (weight in the catalogue, code prefix, colours per model (min, max))
FAMILY_MIX = {
    "tshirts": (30, "TS", (2, 5)),
    "dresses": (15, "DR", (1, 4)),
    "jeans": (20, "JN", (1, 3)),
    "sneakers": (20, "SN", (1, 4)),
    "bags": (15, "BG", (1, 4)),
}
#: family → gender weights
GENDER_MIX = {
    "tshirts": {"women": 40, "men": 40, "kids": 20},
    "dresses": {"women": 85, "kids": 15},
    "jeans": {"women": 45, "men": 40, "kids": 15},
    "sneakers": {"women": 40, "men": 40, "kids": 20},
    "bags": {"women": 60, "men": 25, "unisex": 15},
}
#: (family, gender) → main category; unisex bags go to both bag categories
MAIN_CATEGORIES = {
    ("tshirts", "women"): ["women_tops"],
    ("tshirts", "men"): ["men_tops"],
    ("tshirts", "kids"): ["kids_tops"],
    ("dresses", "women"): ["women_dresses"],
    ("dresses", "kids"): ["kids_dresses"],
    ("jeans", "women"): ["women_jeans"],
    ("jeans", "men"): ["men_jeans"],
    ("jeans", "kids"): ["kids_jeans"],
    ("sneakers", "women"): ["women_sneakers"],
    ("sneakers", "men"): ["men_sneakers"],
    ("sneakers", "kids"): ["kids_shoes"],
    ("bags", "women"): ["women_bags"],
    ("bags", "men"): ["men_bags"],
    ("bags", "unisex"): ["women_bags", "men_bags"],
}
#: family → EUR price range and weight range in grams (adult, one item)
PRICES = {
    "tshirts": (19, 45),
    "dresses": (49, 129),
    "jeans": (59, 129),
    "sneakers": (79, 159),
    "bags": (49, 249),
}
WEIGHTS = {
    "tshirts": (140, 220),
    "dresses": (250, 450),
    "jeans": (550, 750),
    "sneakers": (700, 1100),
    "bags": (350, 1500),
}

WORKFLOW_MIX = {"approved": 55, "in_review": 20, "draft": 25}
LIFECYCLE_MIX = {"active": 60, "new": 20, "phase_out": 12, "discontinued": 8}

#: collection lines, also the first word of a name (same in every language)
LINES = [
    "Riviera", "Nordic", "Heritage", "Essential", "Atlas", "Solstice", "Metro", "Coastline",
    "Alpine", "Bohème", "Studio", "Lumière", "Harbour", "Sierra", "Dune", "Camden",
]  # fmt: skip

#: family → name template per locale and styles as (en, fr, de)
NAMES = {
    "tshirts": {
        "en_US": "{line} {material} {style} T-shirt",
        "fr_FR": "T-shirt {style} {line} en {material}",
        "de_DE": "{line} T-Shirt {style} aus {material}",
        "styles": [
            ("crew-neck", "col rond", "mit Rundhalsausschnitt"),
            ("V-neck", "col V", "mit V-Ausschnitt"),
            ("henley", "col tunisien", "mit Knopfleiste"),
            ("pocket", "à poche", "mit Brusttasche"),
            ("boxy", "coupe carrée", "in Boxy-Form"),
        ],
    },
    "dresses": {
        "en_US": "{line} {material} {style} dress",
        "fr_FR": "Robe {style} {line} en {material}",
        "de_DE": "{line} Kleid {style} aus {material}",
        "styles": [
            ("wrap", "portefeuille", "in Wickeloptik"),
            ("shirt", "chemise", "im Hemdblusenstil"),
            ("slip", "nuisette", "mit Spaghettiträgern"),
            ("smocked", "smockée", "mit Smok-Details"),
            ("tiered", "à volants", "mit Stufenvolants"),
        ],
    },
    "jeans": {
        "en_US": "{line} {material} {style} jeans",
        "fr_FR": "Jean {style} {line} en {material}",
        "de_DE": "{line} Jeans {style} aus {material}",
        "styles": [
            ("straight-leg", "droit", "mit geradem Bein"),
            ("slim", "slim", "in Slim Fit"),
            ("wide-leg", "large", "mit weitem Bein"),
            ("bootcut", "bootcut", "in Bootcut-Form"),
            ("mom", "mom", "im Mom-Fit"),
        ],
    },
    "sneakers": {
        "en_US": "{line} {material} {style} sneakers",
        "fr_FR": "Baskets {style} {line} en {material}",
        "de_DE": "{line} {style} aus {material}",
        "styles": [
            ("low-top", "basses", "Low-Top-Sneaker"),
            ("high-top", "montantes", "High-Top-Sneaker"),
            ("running", "de running", "Laufschuhe"),
            ("platform", "à plateforme", "Plateau-Sneaker"),
        ],
    },
    "bags": {
        "en_US": "{line} {material} {style}",
        "fr_FR": "{style} {line} en {material}",
        "de_DE": "{line} {style} aus {material}",
        "styles": [
            ("tote bag", "Sac cabas", "Shopper"),
            ("crossbody bag", "Sac bandoulière", "Umhängetasche"),
            ("backpack", "Sac à dos", "Rucksack"),
            ("clutch", "Pochette", "Clutch"),
            ("weekender", "Sac week-end", "Weekender"),
        ],
    },
}
#: German names say "aus <material>" (dative); these differ from the nominative
GERMAN_DATIVE = {"recycled_polyester": "recyceltem Polyester"}

INTROS = {
    "en_US": [
        "{name}: a wardrobe staple from our {season} collection.",
        "Designed in our studio, {name} goes with everything you own.",
        "Timeless and comfortable: {name} by {brand}.",
    ],
    "fr_FR": [
        "{name} : un indispensable de notre collection {season}.",
        "Dessiné dans notre studio, {name} s'accorde avec toute votre garde-robe.",
        "Intemporel et confortable : {name} par {brand}.",
    ],
    "de_DE": [
        "{name} – ein Basic aus unserer Kollektion {season}.",
        "In unserem Studio entworfen: {name} passt zu allem.",
        "Zeitlos und bequem: {name} von {brand}.",
    ],
}
DETAILS = {
    "en_US": ["Made of {composition}.", "Made {made_in}.", "Available in {colors} colours."],
    "fr_FR": ["Composition : {composition}.", "Fabriqué {made_in}.", "Existe en {colors} coloris."],
    "de_DE": [
        "Material: {composition}.", "Hergestellt {made_in}.", "Erhältlich in {colors} Farben.",
    ],
}  # fmt: skip
#: country → "made in" phrase per locale (French and German prepositions vary)
MADE_IN = {
    "PT": ("in Portugal", "au Portugal", "in Portugal"),
    "IT": ("in Italy", "en Italie", "in Italien"),
    "TR": ("in Turkey", "en Turquie", "in der Türkei"),
    "IN": ("in India", "en Inde", "in Indien"),
    "BD": ("in Bangladesh", "au Bangladesh", "in Bangladesch"),
    "VN": ("in Vietnam", "au Viêt Nam", "in Vietnam"),
    "FR": ("in France", "en France", "in Frankreich"),
}
SHORT = {
    "en_US": "{name}, {colors} colours.",
    "fr_FR": "{name}, {colors} coloris.",
    "de_DE": "{name}, {colors} Farben.",
}
CARE = {
    "textile": {
        "en_US": "Machine wash at 30 °C.\nDo not tumble dry.\nIron at low temperature.",
        "fr_FR": "Lavage en machine à 30 °C.\nNe pas sécher en machine.\nRepassage doux.",
        "de_DE": (
            "Maschinenwäsche bei 30 °C.\nNicht im Trockner trocknen.\n"
            "Bei niedriger Temperatur bügeln."
        ),
    },
    "leather": {
        "en_US": "Wipe clean with a damp cloth.\nKeep away from direct heat.",
        "fr_FR": "Nettoyer avec un chiffon humide.\nTenir éloigné des sources de chaleur.",
        "de_DE": "Mit einem feuchten Tuch reinigen.\nVon direkter Hitze fernhalten.",
    },
}
