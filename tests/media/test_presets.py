"""Rendition presets: defaults, validation messages, fingerprints, the TOML settings file."""

from __future__ import annotations

import dataclasses
import re

import pytest

from dam import presets
from dam.presets import (
    DEFAULT_PRESETS,
    MediaSettings,
    Preset,
    PresetError,
    load_presets,
    load_settings,
    parse_presets,
)


def test_default_presets():
    thumb, zoom, google = (
        DEFAULT_PRESETS["thumb"],
        DEFAULT_PRESETS["zoom"],
        DEFAULT_PRESETS["google"],
    )
    assert (thumb.width, thumb.height, thumb.mode, thumb.format, thumb.quality) == (
        300, 300, "fit", "WEBP", 80,
    )  # fmt: skip
    assert (zoom.width, zoom.mode, zoom.format, zoom.quality) == (2000, "fit", "JPEG", 90)
    assert (google.width, google.mode, google.quality, google.background) == (
        1200, "pad", 90, "#ffffff",
    )  # fmt: skip
    printed = DEFAULT_PRESETS["print"]
    assert (printed.width, printed.dpi, printed.colour, printed.metadata, printed.quality) == (
        3000, 300, "cmyk", "copyright", 95,
    )  # fmt: skip
    swatch, preview = DEFAULT_PRESETS["swatch"], DEFAULT_PRESETS["preview"]
    assert (swatch.width, swatch.height, swatch.mode, swatch.format) == (64, 64, "fill", "PNG")
    assert (preview.width, preview.mode, preview.format, preview.quality) == (
        1200, "fit", "JPEG", 85,
    )  # fmt: skip
    assert all(name == p.name for name, p in DEFAULT_PRESETS.items())


def test_defaults_are_read_only():
    with pytest.raises(TypeError):
        DEFAULT_PRESETS["thumb"] = Preset("thumb", 10, 10)  # type: ignore[index]


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("JPEG", "image/jpeg", "jpg"),
        ("PNG", "image/png", "png"),
        ("WEBP", "image/webp", "webp"),
        ("TIFF", "image/tiff", "tif"),
    ],
)
def test_content_type_and_extension(fmt, content_type, extension):
    preset = Preset("x", 10, 10, format=fmt)
    assert (preset.content_type, preset.extension) == (content_type, extension)


def test_fingerprint_is_stable():
    one, two = Preset("a", 300, 200, quality=70), Preset("a", 300, 200, quality=70)
    assert one.fingerprint == two.fingerprint
    assert re.fullmatch(r"[0-9a-f]{12}", one.fingerprint)
    assert DEFAULT_PRESETS["zoom"].fingerprint == Preset("zoom", 2000, 2000, quality=90).fingerprint
    # The name is stored beside the fingerprint; the colour's spelling does not matter.
    assert Preset("b", 300, 200, quality=70).fingerprint == one.fingerprint
    assert Preset("c", 9, 9, background="#FFFFFF").fingerprint == Preset("c", 9, 9).fingerprint


@pytest.mark.parametrize(
    "change",
    [
        {"width": 301},
        {"height": 301},
        {"mode": "fill"},
        {"mode": "pad"},
        {"format": "PNG"},
        {"quality": 84},
        {"background": "#000000"},
        {"dpi": 72},
        {"metadata": "copyright"},
        {"colour": "cmyk"},
    ],
)
def test_fingerprint_changes_with_every_setting(change):
    preset = Preset("p", 300, 300)
    assert dataclasses.replace(preset, **change).fingerprint != preset.fingerprint


def test_fingerprint_ignores_quality_of_lossless_formats():
    png = Preset("p", 64, 64, format="PNG")
    before = png.fingerprint
    assert dataclasses.replace(png, quality=10).fingerprint == before


def test_fingerprint_changes_with_the_renderer_version(monkeypatch):
    before = DEFAULT_PRESETS["thumb"].fingerprint
    monkeypatch.setattr(presets, "RENDERER_VERSION", presets.RENDERER_VERSION + 1)
    assert DEFAULT_PRESETS["thumb"].fingerprint != before


def test_parse_presets():
    parsed = parse_presets(
        {
            "banner": {"width": 1600, "height": 600, "mode": "fill", "format": "webp"},
            "scan": {"width": 5000, "height": 5000, "format": "tif", "dpi": 600},
            "legacy": {"width": 100, "height": 100, "format": "jpg"},
        }
    )
    assert parsed["banner"] == Preset("banner", 1600, 600, mode="fill", format="WEBP")
    assert parsed["scan"].format == "TIFF" and parsed["scan"].dpi == 600
    assert parsed["legacy"].format == "JPEG"


# One case per family of error message: (settings of preset "p", expected message).
ERRORS = [
    ({"width": 0, "height": 10}, 'preset "p": width must be 1..10000, got 0'),
    ({"width": 10, "height": 10001}, "height must be 1..10000, got 10001"),
    ({"width": "300", "height": 10}, "width must be 1..10000, got '300'"),
    ({"width": True, "height": 10}, "width must be 1..10000, got True"),
    ({"width": 9, "height": 9, "mode": "crop"}, "mode must be one of fit, fill, pad, got 'crop'"),
    ({"width": 9, "height": 9, "format": "GIF"}, "format must be one of JPEG, PNG, WEBP, AVIF"),
    ({"width": 9, "height": 9, "quality": 0}, 'preset "p": quality must be 1..100, got 0'),
    ({"width": 9, "height": 9, "background": "white"}, 'background must be a colour like "#ff'),
    ({"width": 9, "height": 9, "dpi": 0}, "dpi must be 1..2400, got 0"),
    ({"width": 9, "height": 9, "dpi": 300, "format": "WEBP"}, "dpi cannot be stored in WEBP"),
    ({"width": 9, "height": 9, "colour": "cmyk", "format": "PNG"}, 'colour "cmyk" needs format'),
    ({"width": 9, "height": 9, "colour": "lab"}, "colour must be one of rgb, cmyk, got 'lab'"),
    ({"width": 9, "height": 9, "metadata": "all"}, "metadata must be one of strip, copyright"),
    ({"width": 9, "height": 9, "crop": True}, 'preset "p": unknown field "crop" (known: width'),
    ({"width": 9}, 'preset "p": height is required for a new preset'),
]


@pytest.mark.parametrize(("settings", "message"), ERRORS)
def test_parse_errors_name_the_preset_and_field(settings, message):
    with pytest.raises(PresetError, match=re.escape(message)):
        parse_presets({"p": settings})


@pytest.mark.parametrize("name", ["Zoom", "1x", "", "a" * 41, "with space", "é"])
def test_bad_names_are_refused(name):
    with pytest.raises(PresetError, match="name must be 1-40 of a-z"):
        parse_presets({name: {"width": 9, "height": 9}})


def test_settings_must_be_tables():
    with pytest.raises(PresetError, match='preset "p": settings must be a table'):
        parse_presets({"p": 300})
    with pytest.raises(PresetError, match="presets must be a table"):
        parse_presets([("p", {})])  # type: ignore[arg-type]


def test_presets_built_directly_are_validated_too():
    with pytest.raises(PresetError, match='preset "zoom": quality must be 1..100, got 0'):
        Preset("zoom", 2000, 2000, quality=0)


def test_avif_refused_when_pillow_lacks_it(monkeypatch):
    monkeypatch.setattr(presets.features, "check", lambda feature: feature != "avif")
    with pytest.raises(PresetError, match="AVIF is not supported by this Pillow build"):
        parse_presets({"hero": {"width": 9, "height": 9, "format": "avif"}})


def test_load_settings_without_file_gives_defaults():
    settings = load_settings(None)
    assert settings == MediaSettings(presets=dict(DEFAULT_PRESETS), channel_presets={})
    assert load_presets(None) == dict(DEFAULT_PRESETS)


def write(tmp_path, text: str):
    path = tmp_path / "media.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_settings_merges_over_defaults(tmp_path):
    path = write(
        tmp_path,
        """
        [presets.zoom]
        quality = 92

        [presets.banner]
        width = 1600
        height = 600
        mode = "fill"
        format = "webp"

        [presets.swatch]
        enabled = false

        [presets.preview]
        enabled = true
        width = 1000

        [channels]
        google_shopping = "google"
        ecommerce = "banner"
        """,
    )
    settings = load_settings(path)
    zoom = settings.presets["zoom"]
    assert zoom == dataclasses.replace(DEFAULT_PRESETS["zoom"], quality=92)
    assert zoom.fingerprint != DEFAULT_PRESETS["zoom"].fingerprint
    assert settings.presets["banner"] == Preset("banner", 1600, 600, mode="fill", format="WEBP")
    assert "swatch" not in settings.presets
    assert settings.presets["preview"].width == 1000
    assert settings.presets["thumb"] == DEFAULT_PRESETS["thumb"]
    assert settings.channel_presets == {"google_shopping": "google", "ecommerce": "banner"}
    assert load_presets(str(path)) == settings.presets


def test_channel_preset_must_exist(tmp_path):
    path = write(tmp_path, '[presets.swatch]\nenabled = false\n[channels]\nweb = "swatch"\n')
    with pytest.raises(PresetError, match="channel \"web\": preset 'swatch' does not exist"):
        load_settings(path)


def test_override_errors_name_the_preset(tmp_path):
    with pytest.raises(PresetError, match='preset "zoom": quality must be 1..100, got 101'):
        load_settings(write(tmp_path, "[presets.zoom]\nquality = 101\n"))
    with pytest.raises(PresetError, match='preset "zoom": enabled must be true or false'):
        load_settings(write(tmp_path, '[presets.zoom]\nenabled = "no"\n'))


def test_file_errors_name_the_file(tmp_path):
    with pytest.raises(PresetError, match=r'media.toml: unknown section "preset"'):
        load_settings(write(tmp_path, "[preset.zoom]\nquality = 90\n"))
    with pytest.raises(PresetError, match=r"media.toml: cannot read media settings"):
        load_settings(write(tmp_path, "[presets.zoom\n"))
    with pytest.raises(PresetError, match=r"missing.toml: cannot read media settings"):
        load_settings(tmp_path / "missing.toml")
    with pytest.raises(PresetError, match=r"\[channels\] must map channel codes"):
        load_settings(write(tmp_path, 'channels = "google"\n'))
