"""Rendition presets: named recipes (box, mode, format, quality…) for derived images.

A :class:`Preset` is validated when built, so every preset in the program is usable. Stored
renditions are unique per (asset version, preset name, :attr:`Preset.fingerprint`): editing a
preset changes its fingerprint, and the renditions made by the old settings are regenerated.

Deployments change presets in a TOML file (``load_settings``)::

    [presets.zoom]          # redefine a default: only the fields given change
    quality = 92

    [presets.banner]        # add one: width and height are required
    width = 1600
    height = 600
    mode = "fill"

    [presets.swatch]        # remove one
    enabled = false

    [channels]              # channel code → the preset its feeds use
    google = "google"
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType

from PIL import features

FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "TIFF": "image/tiff",
}
FORMAT_ALIASES = {"JPG": "JPEG", "TIF": "TIFF"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif", "TIFF": "tif"}
MODES = ("fit", "fill", "pad")
METADATA = ("strip", "copyright")
COLOURS = ("rgb", "cmyk")
#: Formats whose files can hold an alpha channel (the others are flattened on ``background``).
ALPHA_FORMATS = frozenset({"PNG", "WEBP", "AVIF"})
#: Formats that store a print resolution.
DPI_FORMATS = frozenset({"JPEG", "PNG", "TIFF"})
CMYK_FORMATS = frozenset({"JPEG", "TIFF"})
LOSSY_FORMATS = frozenset({"JPEG", "WEBP", "AVIF"})
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
COLOUR_PATTERN = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
MAX_SIDE = 10_000
#: Part of every fingerprint: bump it when ``dam.render`` changes what a preset produces,
#: so renditions made by the old code are regenerated too.
RENDERER_VERSION = 1


class PresetError(ValueError):
    """A preset or media settings file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Preset:
    """How to derive one rendition from an image; validated on creation."""

    name: str
    width: int
    height: int
    mode: str = "fit"
    format: str = "JPEG"
    quality: int = 85
    background: str = "#ffffff"
    dpi: int | None = None
    metadata: str = "strip"
    colour: str = "rgb"

    def __post_init__(self) -> None:
        for problem in _problems(self):
            raise PresetError(f'preset "{self.name}": {problem}')

    @property
    def fingerprint(self) -> str:
        """12 hex digits that change whenever a setting (or the renderer version) changes."""
        settings = {k: v for k, v in asdict(self).items() if k != "name"}
        settings["background"] = self.background.lower()
        if self.format not in LOSSY_FORMATS:
            settings["quality"] = None  # PNG and TIFF ignore it: no needless regeneration
        payload = json.dumps([RENDERER_VERSION, settings], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @property
    def content_type(self) -> str:
        """The MIME type of the files this preset makes."""
        return FORMATS[self.format]

    @property
    def extension(self) -> str:
        """The file extension (without dot) of the files this preset makes."""
        return EXTENSIONS[self.format]

    @property
    def keeps_alpha(self) -> bool:
        """Whether transparency survives (else it is flattened on ``background``)."""
        return self.format in ALPHA_FORMATS and self.colour == "rgb"


def _problems(preset: Preset):
    """Yield what is wrong with ``preset`` (types first, so later checks can compare)."""
    if not isinstance(preset.name, str) or not NAME_PATTERN.match(preset.name):
        yield "name must be 1-40 of a-z, 0-9, _ and -, starting with a letter"
    for name in ("width", "height"):
        value = getattr(preset, name)
        if not _is_int(value) or not 1 <= value <= MAX_SIDE:
            yield f"{name} must be 1..{MAX_SIDE}, got {value!r}"
    yield from _choice(preset, "mode", MODES)
    yield from _choice(preset, "format", tuple(FORMATS))
    yield from _choice(preset, "metadata", METADATA)
    yield from _choice(preset, "colour", COLOURS)
    if not _is_int(preset.quality) or not 1 <= preset.quality <= 100:
        yield f"quality must be 1..100, got {preset.quality!r}"
    if not isinstance(preset.background, str) or not COLOUR_PATTERN.match(preset.background):
        yield f'background must be a colour like "#ffffff", got {preset.background!r}'
    if preset.dpi is not None:
        if not _is_int(preset.dpi) or not 1 <= preset.dpi <= 2400:
            yield f"dpi must be 1..2400, got {preset.dpi!r}"
        elif preset.format not in DPI_FORMATS:
            yield f"dpi cannot be stored in {preset.format} files (use JPEG, PNG or TIFF)"
    if preset.colour == "cmyk" and preset.format not in CMYK_FORMATS:
        yield f'colour "cmyk" needs format JPEG or TIFF, got {preset.format}'
    if preset.format == "AVIF" and not features.check("avif"):
        yield "format AVIF is not supported by this Pillow build (no libavif); use WEBP or JPEG"


def _choice(preset: Preset, name: str, allowed: tuple[str, ...]):
    value = getattr(preset, name)
    if value not in allowed:
        yield f"{name} must be one of {', '.join(allowed)}, got {value!r}"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


DEFAULT_PRESETS: MappingProxyType[str, Preset] = MappingProxyType(
    {
        p.name: p
        for p in (
            Preset("thumb", 300, 300, format="WEBP", quality=80),
            Preset("zoom", 2000, 2000, quality=90),
            Preset("google", 1200, 1200, mode="pad", quality=90, background="#ffffff"),
            Preset("print", 3000, 3000, quality=95, dpi=300, colour="cmyk", metadata="copyright"),
            Preset("swatch", 64, 64, mode="fill", format="PNG"),
            Preset("preview", 1200, 1200, quality=85),
        )
    }
)
FIELDS = tuple(f.name for f in fields(Preset) if f.name != "name")


def parse_presets(data: dict) -> dict[str, Preset]:
    """``{"name": {field: value}}`` → validated presets (``width`` and ``height`` required)."""
    if not isinstance(data, dict):
        raise PresetError(f"presets must be a table of name → settings, got {data!r}")
    return {name: _parse_one(name, settings) for name, settings in data.items()}


def _parse_one(name, settings, base: Preset | None = None) -> Preset:
    if not isinstance(settings, dict):
        raise PresetError(f'preset "{name}": settings must be a table, got {settings!r}')
    unknown = sorted(set(settings) - set(FIELDS))
    if unknown:
        raise PresetError(
            f'preset "{name}": unknown field "{unknown[0]}" (known: {", ".join(FIELDS)})'
        )
    settings = dict(settings)
    if isinstance(settings.get("format"), str):
        upper = settings["format"].upper()
        settings["format"] = FORMAT_ALIASES.get(upper, upper)
    if base is not None:
        return replace(base, **settings)
    missing = [f for f in ("width", "height") if f not in settings]
    if missing:
        raise PresetError(f'preset "{name}": {missing[0]} is required for a new preset')
    return Preset(name=name, **settings)


@dataclass(frozen=True)
class MediaSettings:
    """The presets in use and which preset each sales channel's feeds use."""

    presets: dict[str, Preset] = field(default_factory=lambda: dict(DEFAULT_PRESETS))
    channel_presets: dict[str, str] = field(default_factory=dict)


def load_settings(path: str | Path | None) -> MediaSettings:
    """The default presets, or a TOML file's ``[presets.*]`` and ``[channels]`` over them."""
    if path is None:
        return MediaSettings()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PresetError(f"{path}: cannot read media settings ({exc})") from exc
    unknown = sorted(set(data) - {"presets", "channels"})
    if unknown:
        raise PresetError(f'{path}: unknown section "{unknown[0]}" (known: presets, channels)')
    presets = _merge_presets(data.get("presets", {}))
    channels = data.get("channels", {})
    _check_channels(channels, presets)
    return MediaSettings(presets=presets, channel_presets=dict(channels))


def load_presets(path: str | Path | None) -> dict[str, Preset]:
    """Only the presets of :func:`load_settings`."""
    return load_settings(path).presets


def _merge_presets(overrides: dict) -> dict[str, Preset]:
    if not isinstance(overrides, dict):
        raise PresetError(f"[presets] must be a table of tables, got {overrides!r}")
    presets = dict(DEFAULT_PRESETS)
    for name, settings in overrides.items():
        if isinstance(settings, dict) and "enabled" in settings:
            settings = dict(settings)
            enabled = settings.pop("enabled")
            if not isinstance(enabled, bool):
                raise PresetError(f'preset "{name}": enabled must be true or false')
            if not enabled:
                presets.pop(name, None)
                continue
        presets[name] = _parse_one(name, settings, base=presets.get(name))
    return presets


def _check_channels(channels, presets: dict[str, Preset]) -> None:
    if not isinstance(channels, dict):
        raise PresetError(f"[channels] must map channel codes to preset names, got {channels!r}")
    for channel, name in channels.items():
        if name not in presets:
            known = ", ".join(sorted(presets))
            raise PresetError(
                f'channel "{channel}": preset {name!r} does not exist (presets: {known})'
            )
