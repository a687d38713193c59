"""Checks of each key of a form's table in the forms file, every mistake named by form and key."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..i18n import LANGUAGES
from ..validation import origin_of

STANDARD_FIELDS = ("email", "phone", "first_name", "last_name", "town", "region", "address", "postcode")
FORBIDDEN_IN_FORM_TYPE = set("<;’\\/|\"`'^?!,>")
# eSputnik caps event type keys at 100 characters; the longer event name is this prefix plus form_type.
MAX_FORM_TYPE = 100 - len("subscribeUpdateFromApi-")
FORM_ID = re.compile(r"^[a-z0-9-]{1,64}$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_NAMES = {
    "consent", "form_token", "groups", "lang", "page", "page_url", "referrer", "token", "variant", "website",
}  # fmt: skip
# How a visitor's sign-up ends: the built-in thank-you page, a redirect, or a message in place.
FINISHES = ("page", "redirect", "inline")


@dataclass(frozen=True)
class Text:
    """A text given once or per language, read back in the best available language."""

    by_language: dict

    def get(self, language, fallback="en"):
        """Return the text in `language`, else the fallback language, else any."""
        for key in (language, "*", fallback, "en"):
            if key in self.by_language:
                return self.by_language[key]
        return next(iter(self.by_language.values()))


class TableReader:
    """Collects every problem of one form instead of stopping at the first."""

    def __init__(self, form_id, table, problems):
        self.form_id, self.table, self.problems = form_id, table, problems

    def fail(self, key, message):
        self.problems.append(f"forms.{self.form_id}.{key}: {message}")

    def strings(self, key, default=()):
        value = self.table.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "expected a list of non-empty strings")
            return tuple(default)
        return tuple(v.strip() for v in value)

    def text(self, key, value=None):
        value = self.table.get(key) if value is None else value
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return Text({"*": value.strip()})
        if isinstance(value, dict) and value and all(isinstance(v, str) and v.strip() for v in value.values()):
            unknown = sorted(set(value) - set(LANGUAGES))
            if unknown:
                self.fail(key, f"unknown language {unknown[0]!r} (use {', '.join(LANGUAGES)})")
            return Text({k: v.strip() for k, v in value.items()})
        self.fail(key, "expected a text, or a table of texts per language (en, uk, ru)")
        return None


def check_form_type(reader, value):
    if not isinstance(value, str) or not value.strip():
        reader.fail("form_type", "required, a non-empty string")
        return ""
    bad = sorted({c for c in value if c in FORBIDDEN_IN_FORM_TYPE})
    if bad:
        reader.fail("form_type", f"eSputnik forbids the characters {' '.join(bad)} in formType")
    if value != value.strip():
        reader.fail("form_type", "must not start or end with spaces")
    if len(value) > MAX_FORM_TYPE:
        reader.fail("form_type", f"at most {MAX_FORM_TYPE} characters (eSputnik's event names are capped at 100)")
    return value


def check_origin(reader, origin):
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        reader.fail("allowed_origins", f"{origin!r} is not an origin like https://shop.example.com")
        return None
    if parts.query or parts.fragment or parts.username:
        reader.fail("allowed_origins", f"{origin!r} must be only scheme, host and port")
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def check_redirect(reader, value, origins):
    if value is None:
        return None
    if not isinstance(value, str) or origin_of(value.strip()) is None:
        reader.fail("redirect_url", "must be an absolute http:// or https:// URL")
        return None
    if origin_of(value) not in origins:
        reader.fail("redirect_url", f"its origin {origin_of(value)} must be listed in allowed_origins")
    return value.strip()


def check_fields(reader, custom):
    fields = reader.strings("fields")
    known = set(STANDARD_FIELDS) | set(custom)
    for name in fields:
        if name not in known:
            reader.fail("fields", f"{name!r} is neither a standard field nor listed in custom_fields")
    if len(set(fields)) != len(fields):
        reader.fail("fields", "lists a field twice")
    if fields and "email" not in fields and "phone" not in fields:
        reader.fail("fields", "needs email or phone: eSputnik requires a channel")
    if not fields and "fields" not in reader.table:
        reader.fail("fields", "required, the inputs shown, in order")
    required = reader.strings("required", default=())
    for name in required:
        if name not in fields:
            reader.fail("required", f"{name!r} is not among fields")
    return fields, frozenset(required)


def check_labels(reader, fields):
    raw = reader.table.get("labels", {})
    if not isinstance(raw, dict):
        reader.fail("labels", "expected a table of field name = label")
        return {}
    labels = {}
    for name, value in raw.items():
        if name not in fields:
            reader.fail(f"labels.{name}", "not among fields or choose_groups")
        text = reader.text(f"labels.{name}", value)
        if text:
            labels[name] = text
    return labels


def check_language(reader):
    language = reader.table.get("language", "en")
    if language not in LANGUAGES:
        reader.fail("language", f"expected one of {', '.join(LANGUAGES)}, got {language!r}")
        return "en"
    return language


def check_phone_region(reader):
    region = reader.table.get("phone_region")
    if region is None:
        return None
    if not isinstance(region, str) or not re.fullmatch(r"[A-Z]{2}", region):
        reader.fail("phone_region", "expected a two-letter country code such as UA")
        return None
    return region


def check_finish(reader, redirect_url):
    finish = reader.table.get("finish", "redirect" if redirect_url else "page")
    if finish not in FINISHES:
        reader.fail("finish", f"expected one of {', '.join(FINISHES)}, got {finish!r}")
        return "page"
    if finish == "redirect" and not redirect_url and "redirect_url" not in reader.table:
        reader.fail("finish", "is redirect, so redirect_url is needed")
    if finish != "redirect" and redirect_url:
        reader.fail("redirect_url", f"is used only with finish = redirect (finish is {finish})")
    return finish
