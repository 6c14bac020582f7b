"""marshmallow schemas of the structure and user resources of the API (attributes and
options, attribute groups, families and variants, categories, channels, locales,
currencies, association types, users).

Input schemas check the shape; :mod:`pim.services.structure` and
:mod:`pim.services.accounts` check the meaning and their problems come back in the same
``errors`` list. Output schemas document the representations, which are the ``*_state``
dictionaries the history already records.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, validate

from pim.api.schemas import DEFAULT_LIMIT, MAX_LIMIT, ApiSchema, StrictBoolean
from pim.models import AttributeType, Role

ATTRIBUTE_TYPES = [t.value for t in AttributeType]
ROLES = [r.value for r in Role]
CODE = validate.Length(min=1, max=100)
#: Whole numbers are stored in 32-bit columns.
INT32 = validate.Range(min=-(2**31), max=2**31 - 1)
#: Bounds are stored as text of at most this many characters.
MAX_DECIMAL_TEXT = 40


def labels_field(**kwargs) -> fields.Dict:
    """``{locale: text}``; an empty text removes the label."""
    return fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=20)),
        values=fields.String(validate=validate.Length(max=255)),
        metadata={"description": "``{locale: text}``; in a PATCH the map replaces the labels"},
        **kwargs,
    )


def codes_field(description: str, **kwargs) -> fields.List:
    return fields.List(
        fields.String(validate=CODE), metadata={"description": description}, **kwargs
    )


class DecimalText(fields.Field):
    """A number given as JSON number or string, kept as its decimal text (``"12.5"``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError("must be a number") from None
        if not number.is_finite():
            raise ValidationError("must be a finite number")
        if len(str(number)) > MAX_DECIMAL_TEXT:
            raise ValidationError(f"must be at most {MAX_DECIMAL_TEXT} characters long")
        return str(number)

    def _serialize(self, value, attr, obj, **kwargs):
        return value


# --- lists ---------------------------------------------------------------------------------


class StructureListArgs(ApiSchema):
    """Cursor pagination (row id order) and a text search on code and labels."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    cursor = fields.String(metadata={"description": "opaque: the ``next`` link carries it"})
    search = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of the code or of a label (case-insensitive)"},
    )


class AttributeListArgs(StructureListArgs):
    type = fields.String(validate=validate.OneOf(ATTRIBUTE_TYPES))
    group = fields.String(metadata={"description": "attribute group code"})
    localizable = fields.Boolean()
    scopable = fields.Boolean()


class CategoryListArgs(StructureListArgs):
    parent = fields.String(metadata={"description": "direct children of this category"})
    root = fields.String(metadata={"description": "every category of this tree (root included)"})
    is_root = fields.Boolean(metadata={"description": "true: tree roots only; false: the others"})


class LocaleListArgs(StructureListArgs):
    active = fields.Boolean(metadata={"description": "used by at least one channel"})


class CurrencyListArgs(StructureListArgs):
    enabled = fields.Boolean()


class UserListArgs(StructureListArgs):
    search = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of the e-mail or name (case-insensitive)"},
    )
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """The schema of a list page: ``{"items": [...], "next": url|null}``."""
    page_fields = {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next": fields.String(
            required=True,
            allow_none=True,
            metadata={"description": "URL of the next page, null on the last one"},
        ),
    }
    return type(name, (Schema,), page_fields)


# --- attributes and options ----------------------------------------------------------------


OPTION_CODE = validate.Regexp(
    r"^[A-Za-z0-9_]{1,100}$", error="must be letters, digits and _ (at most 100)"
)
SWATCH = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="must be a colour as #rrggbb")


class OptionWriteSchema(ApiSchema):
    """An option in a PATCH: the fields given replace the stored ones."""

    code = fields.String(validate=OPTION_CODE, metadata={"description": "fixed: the URL's code"})
    labels = labels_field()
    sort_order = fields.Integer(strict=True, validate=INT32)
    swatch = fields.String(
        allow_none=True, validate=SWATCH, metadata={"description": "``#rrggbb`` or null"}
    )


class OptionCreateSchema(OptionWriteSchema):
    code = fields.String(required=True, validate=OPTION_CODE)


class OptionSchema(Schema):
    code = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    sort_order = fields.Integer(required=True)
    swatch = fields.String(required=True, allow_none=True)


OptionPageSchema = page_of(OptionSchema, "OptionPageSchema")


class AttributeWriteSchema(ApiSchema):
    """An attribute in a PATCH. ``type``, ``localizable``, ``scopable``, ``unique`` and
    ``metric_family`` are fixed at creation: sending them unchanged is accepted."""

    code = fields.String(validate=CODE)
    type = fields.String(validate=validate.OneOf(ATTRIBUTE_TYPES))
    group = fields.String(validate=CODE)
    labels = labels_field()
    sort_order = fields.Integer(strict=True, validate=INT32)
    localizable = StrictBoolean()
    scopable = StrictBoolean()
    unique = StrictBoolean()
    max_length = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1)
    )
    regex = fields.String(allow_none=True, validate=validate.Length(max=255))
    min_value = DecimalText(allow_none=True)
    max_value = DecimalText(allow_none=True)
    decimals_allowed = StrictBoolean()
    rich_text = StrictBoolean(metadata={"description": "textarea only"})
    metric_family = fields.String(allow_none=True, metadata={"description": "metric only"})
    default_unit = fields.String(allow_none=True, metadata={"description": "metric only"})
    sources = fields.List(
        fields.String(validate=validate.Length(max=100)),
        allow_none=True,
        metadata={"description": "import sources allowed to write it, highest first"},
    )
    options = fields.List(
        fields.Nested(OptionCreateSchema),
        metadata={"description": "replaces the list (refused if a removed option is used)"},
    )


class AttributeCreateSchema(AttributeWriteSchema):
    code = fields.String(required=True, validate=CODE)
    type = fields.String(required=True, validate=validate.OneOf(ATTRIBUTE_TYPES))
    group = fields.String(required=True, validate=CODE)


class AttributeSchema(Schema):
    code = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(ATTRIBUTE_TYPES))
    group = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    sort_order = fields.Integer(required=True)
    localizable = fields.Boolean(required=True)
    scopable = fields.Boolean(required=True)
    unique = fields.Boolean(required=True)
    max_length = fields.Integer(required=True, allow_none=True)
    regex = fields.String(required=True, allow_none=True)
    min_value = fields.String(required=True, allow_none=True)
    max_value = fields.String(required=True, allow_none=True)
    decimals_allowed = fields.Boolean(required=True)
    rich_text = fields.Boolean(required=True)
    metric_family = fields.String(required=True, allow_none=True)
    default_unit = fields.String(required=True, allow_none=True)
    sources = fields.List(fields.String(), required=True, allow_none=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)


AttributePageSchema = page_of(AttributeSchema, "AttributePageSchema")


# --- attribute groups ----------------------------------------------------------------------


class AttributeGroupWriteSchema(ApiSchema):
    code = fields.String(validate=CODE)
    labels = labels_field()
    sort_order = fields.Integer(strict=True, validate=INT32)


class AttributeGroupCreateSchema(AttributeGroupWriteSchema):
    code = fields.String(required=True, validate=CODE)


class AttributeGroupSchema(Schema):
    code = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    sort_order = fields.Integer(required=True)


AttributeGroupPageSchema = page_of(AttributeGroupSchema, "AttributeGroupPageSchema")


# --- families and family variants ----------------------------------------------------------


class FamilyWriteSchema(ApiSchema):
    """A family in a PATCH; ``requirements`` replace those of the channels given."""

    code = fields.String(validate=CODE)
    labels = labels_field()
    attributes = codes_field("replaces the list (the identifier attribute is always kept)")
    label_attribute = fields.String(allow_none=True)
    image_attribute = fields.String(allow_none=True)
    requirements = fields.Dict(
        keys=fields.String(validate=CODE),
        values=fields.List(fields.String(validate=CODE)),
        metadata={"description": "``{channel: [attribute…]}``: required for completeness"},
    )


class FamilyCreateSchema(FamilyWriteSchema):
    code = fields.String(required=True, validate=CODE)


class FamilySchema(Schema):
    code = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    attributes = fields.List(fields.String(), required=True)
    label_attribute = fields.String(required=True, allow_none=True)
    image_attribute = fields.String(required=True, allow_none=True)
    requirements = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True
    )


FamilyPageSchema = page_of(FamilySchema, "FamilyPageSchema")


class VariantLevelSchema(ApiSchema):
    level = fields.Integer(strict=True, validate=validate.Range(min=1, max=2))
    axes = codes_field("the attributes whose values tell the variants apart", required=True)
    attributes = codes_field("further attributes owned by this level", load_default=list)


class FamilyVariantWriteSchema(ApiSchema):
    """A family variant in a PATCH; its levels change only while no product model uses it."""

    code = fields.String(validate=CODE)
    family = fields.String(validate=CODE, metadata={"description": "fixed: the URL's family"})
    labels = labels_field()
    variant_attribute_sets = fields.List(
        fields.Nested(VariantLevelSchema),
        validate=validate.Length(min=1, max=2),
        metadata={"description": "one or two levels, in order"},
    )


class FamilyVariantCreateSchema(FamilyVariantWriteSchema):
    code = fields.String(required=True, validate=CODE)
    variant_attribute_sets = fields.List(
        fields.Nested(VariantLevelSchema), required=True, validate=validate.Length(min=1, max=2)
    )


class VariantLevelOutSchema(Schema):
    level = fields.Integer(required=True)
    axes = fields.List(fields.String(), required=True)
    attributes = fields.List(fields.String(), required=True)


class FamilyVariantSchema(Schema):
    code = fields.String(required=True)
    family = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    variant_attribute_sets = fields.List(fields.Nested(VariantLevelOutSchema), required=True)


FamilyVariantPageSchema = page_of(FamilyVariantSchema, "FamilyVariantPageSchema")


# --- categories ----------------------------------------------------------------------------


class CategoryWriteSchema(ApiSchema):
    """A category in a PATCH; a new ``parent`` moves it with its subtree (null: a root)."""

    code = fields.String(validate=CODE)
    parent = fields.String(allow_none=True, validate=CODE)
    labels = labels_field()
    sort_order = fields.Integer(strict=True, validate=INT32)


class CategoryCreateSchema(CategoryWriteSchema):
    code = fields.String(required=True, validate=CODE)


class CategorySchema(Schema):
    code = fields.String(required=True)
    parent = fields.String(required=True, allow_none=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    sort_order = fields.Integer(required=True)


CategoryPageSchema = page_of(CategorySchema, "CategoryPageSchema")


# --- channels, locales, currencies, association types ---------------------------------------


class ChannelWriteSchema(ApiSchema):
    code = fields.String(validate=CODE)
    labels = labels_field()
    locales = codes_field("replaces the list (at least one)")
    currencies = codes_field("replaces the list")
    category_tree = fields.String(allow_none=True, metadata={"description": "a root category"})


class ChannelCreateSchema(ChannelWriteSchema):
    code = fields.String(required=True, validate=CODE)
    locales = codes_field("at least one", required=True)


class ChannelSchema(Schema):
    code = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    locales = fields.List(fields.String(), required=True)
    currencies = fields.List(fields.String(), required=True)
    category_tree = fields.String(required=True, allow_none=True)


ChannelPageSchema = page_of(ChannelSchema, "ChannelPageSchema")


class LocaleCreateSchema(ApiSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))


class LocaleSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "English name (CLDR)"})
    active = fields.Boolean(required=True, metadata={"description": "a channel uses it"})
    channels = fields.List(fields.String(), required=True)


LocalePageSchema = page_of(LocaleSchema, "LocalePageSchema")


class CurrencyCreateSchema(ApiSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=3))


class CurrencyWriteSchema(ApiSchema):
    code = fields.String(validate=validate.Length(min=1, max=3))
    enabled = StrictBoolean(required=True)


class CurrencySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "English name (CLDR)"})
    enabled = fields.Boolean(required=True)
    channels = fields.List(fields.String(), required=True)


CurrencyPageSchema = page_of(CurrencySchema, "CurrencyPageSchema")


class AssociationTypeWriteSchema(ApiSchema):
    code = fields.String(validate=CODE)
    labels = labels_field()


class AssociationTypeCreateSchema(AssociationTypeWriteSchema):
    code = fields.String(required=True, validate=CODE)


class AssociationTypeSchema(Schema):
    code = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


AssociationTypePageSchema = page_of(AssociationTypeSchema, "AssociationTypePageSchema")


# --- users ---------------------------------------------------------------------------------


class UserWriteSchema(ApiSchema):
    """A user in a PATCH: the fields given replace the stored ones; ``password`` (write
    only) sets a new one."""

    email = fields.String(
        validate=validate.Length(min=1, max=254), metadata={"description": "fixed"}
    )
    name = fields.String(validate=validate.Length(max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    locales = codes_field("translators: the locales they may edit (empty: all)")
    active = StrictBoolean()
    password = fields.String(
        load_only=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "write only; at least 8 characters"},
    )


class UserCreateSchema(UserWriteSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(
        load_only=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "write only; when omitted a random one is set and never shown "
            "(an integration account that only uses tokens)"
        },
    )


class UserSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "the key of the URL"})
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    locales = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    created = fields.String(required=True, metadata={"format": "date-time"})
    last_login = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


UserPageSchema = page_of(UserSchema, "UserPageSchema")
