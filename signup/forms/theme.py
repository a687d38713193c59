"""A form's look from forms.toml (accent colour, font stack, corner radius, width, colour scheme) as CSS."""

import base64
import hashlib
import re
from dataclasses import dataclass

SCHEMES = ("light", "dark", "auto")
KEYS = ("accent", "font", "radius", "width", "scheme")
COLOUR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LENGTH = re.compile(r"^(0|\d{1,4}(\.\d{1,2})?(px|rem|em|%))$")
WIDTH = re.compile(r"^\d{1,4}(\.\d{1,2})?(px|rem|em|ch|%)$")
# Only names of fonts already on the visitor's device: no url(), no @import, nothing that closes the rule.
FONT_FAMILY = re.compile(r"""^("[\w -]+"|'[\w -]+'|[\w -]+)$""")
MAX_FONT = 200
BLACK, WHITE = "#000000", "#ffffff"


def _full_hex(colour):
    digits = colour.lstrip("#").lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def luminance(colour):
    """Return the WCAG relative luminance of a #rrggbb (or #rgb) colour."""
    digits = _full_hex(colour)[1:]
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    """Return the WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(background):
    """Return white or black, whichever reads better on `background` (always at least 4.5:1)."""
    return WHITE if contrast(WHITE, background) >= contrast(BLACK, background) else BLACK


@dataclass(frozen=True)
class Theme:
    """The per-form look; unset values keep the stylesheet's defaults."""

    accent: str | None = None
    font: str | None = None
    radius: str | None = None
    width: str | None = None
    scheme: str = "light"

    @property
    def css(self):
        """Return the rule that sets this theme's custom properties, or "" for the default look."""
        values = {"--font": self.font, "--radius": self.radius, "--width": self.width}
        if self.accent:
            values.update({"--accent": self.accent, "--on-accent": text_on(self.accent)})
        body = ";".join(f"{name}:{value}" for name, value in values.items() if value)
        return f":root{{{body}}}" if body else ""

    @property
    def style_hash(self):
        """Return the CSP source that allows exactly this theme's inline style, or None."""
        if not self.css:
            return None
        digest = hashlib.sha256(self.css.encode("utf-8")).digest()
        return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _font(value, fail):
    families = [family.strip() for family in value.split(",")]
    if len(value) > MAX_FONT or not all(FONT_FAMILY.match(family) for family in families):
        fail("font", 'expected font names separated by commas, like "Inter, Arial, sans-serif"')
        return None
    return ", ".join(families)


def _checked(key, value, fail):
    """Return the cleaned value of one theme key, or None after reporting the problem."""
    if not isinstance(value, str):
        fail(key, "expected a text value")
        return None
    value = value.strip()
    if key == "accent":
        if COLOUR.match(value):
            return _full_hex(value)
        fail(key, 'expected a colour like "#0b5cad"')
    elif key == "font":
        return _font(value, fail)
    elif key == "radius":
        if LENGTH.match(value):
            return value
        fail(key, 'expected a length like "6px" or "0.5rem"')
    elif key == "width":
        if WIDTH.match(value):
            return value
        fail(key, 'expected a length like "28rem", "480px" or "100%"')
    elif value in SCHEMES:
        return value
    else:
        fail(key, f"expected one of {', '.join(SCHEMES)}")
    return None


def read(table, fail):
    """Return the Theme of a form's `theme` table; `fail(key, message)` is told each problem."""
    if table is None:
        return Theme()
    if not isinstance(table, dict):
        fail("theme", "expected a table with " + ", ".join(KEYS))
        return Theme()
    for key in sorted(set(table) - set(KEYS)):
        fail(f"theme.{key}", f"unknown key (use {', '.join(KEYS)})")
    values = {}
    for key in KEYS:
        if key in table:
            value = _checked(key, table[key], lambda k, message: fail(f"theme.{k}", message))
            if value is not None:
                values[key] = value
    return Theme(**values)
