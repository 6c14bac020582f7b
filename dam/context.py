"""The app's media context: its storage and its rendition settings, opened on first use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import Flask, current_app

from dam.presets import MediaSettings, load_settings
from dam.storage import Storage, open_storage


@dataclass
class Media:
    """What the DAM services need from the app: where files go and how to render them."""

    storage_url: str
    settings_path: str
    max_pixels: int

    @cached_property
    def storage(self) -> Storage:
        return open_storage(self.storage_url)

    @cached_property
    def settings(self) -> MediaSettings:
        return load_settings(self.settings_path or None)


def init_app(app: Flask) -> None:
    app.extensions["vitrine_media"] = Media(
        storage_url=app.config["STORAGE_URL"],
        settings_path=app.config["MEDIA_SETTINGS"],
        max_pixels=app.config["MAX_IMAGE_PIXELS"],
    )


def current_media() -> Media:
    """The current app's media context."""
    return current_app.extensions["vitrine_media"]
