"""channels: feeds, their runs and the items they published

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:12:20

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import pim.models.types

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("locale", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("territory", sa.String(length=2), nullable=True),
        sa.Column("mapping", _json(), nullable=False),
        sa.Column("filters", _json(), nullable=False),
        sa.Column("rendition_preset", sa.String(length=40), nullable=True),
        sa.Column("destination_url", sa.String(length=1000), nullable=True),
        sa.Column("gzip", sa.Boolean(), nullable=False),
        sa.Column("max_drop", sa.Float(), nullable=False),
        sa.Column("cron", sa.String(length=100), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("secret_token", sa.String(length=64), nullable=False),
        sa.Column("current_key", sa.String(length=1024), nullable=True),
        sa.Column("created_at", pim.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", pim.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel.id"],
            name=op.f("fk_feed_channel_id_channel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed")),
        sa.UniqueConstraint("code", name=op.f("uq_feed_code")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "feed_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("delta", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("started_at", pim.models.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", pim.models.types.UTCDateTime(), nullable=True),
        sa.Column("included", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Integer(), nullable=False),
        sa.Column("exclusions", _json(), nullable=False),
        sa.Column("errors", _json(), nullable=False),
        sa.Column("storage_key", sa.String(length=1024), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feed.id"], name=op.f("fk_feed_run_feed_id_feed"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_run")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_feed_run_feed_id"), "feed_run", ["feed_id"], unique=False)
    op.create_index(op.f("ix_feed_run_status"), "feed_run", ["status"], unique=False)
    op.create_table(
        "feed_item",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("pending_digest", sa.String(length=64), nullable=True),
        sa.Column("seen_run", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feed.id"], name=op.f("fk_feed_item_feed_id_feed"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("feed_id", "key", name=op.f("pk_feed_item")),
    )


def downgrade():
    op.drop_table("feed_item")
    op.drop_index(op.f("ix_feed_run_status"), table_name="feed_run")
    op.drop_index(op.f("ix_feed_run_feed_id"), table_name="feed_run")
    op.drop_table("feed_run")
    op.drop_table("feed")
