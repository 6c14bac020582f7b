"""Users, roles and personal API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.types import JSONType, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a user may do; later issues give each role its full meaning."""

    ADMIN = "admin"  # configures structure, users, channels
    EDITOR = "editor"  # edits products and assets
    TRANSLATOR = "translator"  # edits localizable values of their locales
    SUPPLIER = "supplier"  # supplier portal only
    VIEWER = "viewer"  # reads


#: Actions each role may perform.
PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({"read", "edit", "translate", "configure", "manage_users", "import"}),
    Role.EDITOR: frozenset({"read", "edit", "translate", "import"}),
    Role.TRANSLATOR: frozenset({"read", "translate"}),
    Role.SUPPLIER: frozenset({"supplier_portal", "import"}),
    Role.VIEWER: frozenset({"read"}),
}


class User(UserMixin, db.Model):
    """A person (or integration) who signs in to the UI or calls the API."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    #: Locales a translator may edit (empty: all of the channel locales).
    locales: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the interface language the user chose (``fr``); None follows the browser
    ui_locale: Mapped[str | None] = mapped_column(String(10))

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def can(self, action: str) -> bool:
        """Whether this user's role allows ``action``."""
        return action in PERMISSIONS[Role(self.role)]

    @property
    def translation_locales(self) -> frozenset[str] | None:
        """The locales this user may write translations into: ``None`` for every locale
        (editors, and translators with no locale assigned), a translator's own locales,
        or none at all for the other roles."""
        if self.can("edit"):
            return None
        if self.can("translate"):
            return frozenset(self.locales) if self.locales else None
        return frozenset()

    def __repr__(self) -> str:
        return f"<User {self.email} ({self.role})>"


class ApiToken(db.Model):
    """A personal API token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")
