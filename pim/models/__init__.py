"""All models, importable from one place (Alembic and services import from here)."""

from pim.models.attributes import Attribute, AttributeGroup, AttributeOption, AttributeType
from pim.models.catalog import (
    WORKFLOW_TRANSITIONS,
    Association,
    AssociationType,
    Lifecycle,
    Product,
    ProductModel,
    UniqueValue,
    WorkflowStatus,
    model_category,
    product_category,
)
from pim.models.categories import Category
from pim.models.completeness import Completeness
from pim.models.families import Family, FamilyRequirement, FamilyVariant, FamilyVariantAttribute
from pim.models.history import Source, Version
from pim.models.imports import (
    ImportIssue,
    ImportJob,
    ImportProfile,
    ImportRowHash,
    JobStatus,
    PendingMedia,
    profile_member,
)
from pim.models.structure import Channel, Currency, Locale, StructureRevision
from pim.models.users import PERMISSIONS, ApiToken, Role, User
from pim.models.views import MassEditFailure, MassEditJob, SavedView
from pim.models.webhooks import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookSubscription

__all__ = [
    "WORKFLOW_TRANSITIONS",
    "PERMISSIONS",
    "ApiToken",
    "Association",
    "AssociationType",
    "Attribute",
    "AttributeGroup",
    "AttributeOption",
    "AttributeType",
    "Category",
    "Channel",
    "Completeness",
    "Currency",
    "DeliveryStatus",
    "Family",
    "FamilyRequirement",
    "FamilyVariant",
    "FamilyVariantAttribute",
    "ImportIssue",
    "ImportJob",
    "ImportProfile",
    "ImportRowHash",
    "JobStatus",
    "Lifecycle",
    "Locale",
    "MassEditFailure",
    "MassEditJob",
    "OutboxEvent",
    "PendingMedia",
    "Product",
    "ProductModel",
    "Role",
    "SavedView",
    "Source",
    "StructureRevision",
    "UniqueValue",
    "User",
    "Version",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkflowStatus",
    "model_category",
    "profile_member",
    "product_category",
]
