"""Cleaning a submission's fields to what eSputnik accepts, with a message per problem."""

import re
import unicodedata
from datetime import date
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext

NAME_FIELDS = ("first_name", "last_name")
MAX_LENGTHS = {"town": 100, "region": 100, "address": 255, "postcode": 20}
CUSTOM_MAX_LENGTH = 1000
NAME_MAX_LENGTH = 40
NAME_WORD = re.compile(r"^[^\W_]+(?:['’ʼ-][^\W_]+)*\.?$")
TRUE_WORDS = {"1", "on", "true", "yes", "y", "checked", "accepted", "agree"}
INT32 = 2**31
WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,10}$")
# What a date input sends, and the ways people type dates that eSputnik also reads.
DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})$"),
)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
CHECKED = "true"  # what a ticked checkbox field sends unless the forms file gives its `value`


def origin_of(url):
    """Return scheme://host[:port] of a URL, lower-cased, or None when it has none."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def as_text(raw):
    """Return the value as text, or None when it is not text-like."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return str(raw)
    return None


ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}  # joiners that some scripts need inside words


def has_control_characters(value):
    return any(
        unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")
        and c not in "\t\r\n"
        and c not in ALLOWED_FORMAT_CHARACTERS
        for c in value
    )


def at_most(limit):
    return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", limit)


def name_problem(value, *, limit_words):
    """Return why eSputnik would reject this first or last name, or None when it is fine."""
    if len(value) > NAME_MAX_LENGTH:
        return at_most(NAME_MAX_LENGTH)
    words = value.split()
    for word in words:
        if not NAME_WORD.match(word) or (word.endswith(".") and len(word) > 4):
            return _("Use letters only, with a hyphen or apostrophe inside a word.")
    if sum(c.isdigit() for c in value) > 3:
        return _("Use at most 3 digits.")
    if limit_words:
        long_words = sum(len(w.rstrip(".")) > 3 for w in words)
        if long_words > 3 or len(words) - long_words > 3:
            return _("Too many words for a name.")
    return None


def clean_email(value):
    """Return (normalised address, None) or (None, message)."""
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None, _("Enter a valid email address, like name@example.com.")
    return result.normalized, None


def clean_phone(value, region):
    """Return (E.164 number, None) or (None, message)."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        if region is None and not value.lstrip().startswith("+"):
            return None, _("Enter the number in international format, starting with +.")
        return None, _("Enter a valid phone number.")
    if not phonenumbers.is_valid_number(number):
        return None, _("Enter a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def _clean_one(form, name, value):
    """Return (clean value, message) for one non-empty field."""
    if name == "email":
        return clean_email(value)
    if name == "phone":
        return clean_phone(value, form.phone_region)
    if name in NAME_FIELDS:
        value = " ".join(value.split())
        return value, name_problem(value, limit_words=name == "first_name")
    kind = form.custom_types.get(name)
    if kind is not None and kind.kind != "text":
        return typed(kind, value)
    limit = MAX_LENGTHS.get(name, CUSTOM_MAX_LENGTH)
    if len(value) > limit:
        return None, at_most(limit)
    return value, None


def _number(value):
    if not WHOLE_NUMBER.match(value) or not -INT32 <= int(value) < INT32:
        return None, _("Enter a whole number, like 42.")
    return str(int(value)), None


def _date(value):
    for pattern in DATE_FORMATS:
        match = pattern.match(value)
        if match:
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
            if EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                return day.isoformat(), None
    return None, _("Enter a real date, like 2026-03-31.")


def typed(kind, value):
    """Return (value as eSputnik takes it, None) or (None, message) for a non-empty typed custom field."""
    if kind.kind == "number":
        return _number(value)
    if kind.kind == "date":
        return _date(value)
    if kind.kind == "select":
        return (value, None) if value in kind.options else (None, _("Choose one of the options."))
    if kind.kind == "checkbox":
        return (kind.value, None) if is_checked(value) else (None, None)
    return value, None


def is_checked(raw):
    """Tell whether a checkbox-like value means yes."""
    if raw is True:
        return True
    text = as_text(raw)
    return text is not None and text.strip().lower() in TRUE_WORDS


def clean_fields(form, raw):
    """Return (values, errors) for the form's own fields in a mapping of input name to raw value.

    `values` holds only the form's fields, cleaned; `errors` maps a field name to its messages.
    What a form collects beyond them, and the consent box, are `collected.clean`'s.
    """
    values, errors = {}, {}
    for name in form.fields:
        text = as_text(_box_as_text(form, name, raw.get(name, "")))
        if text is None:
            errors[name] = [_("Send this field as text.")]
            continue
        text = text.strip()
        if "\x00" in text or has_control_characters(text):
            errors[name] = [_("Remove the invisible control characters from this field.")]
        elif "\ufffd" in text:
            # What a body that was not valid UTF-8 decodes to; the visitor can only retype it.
            errors[name] = [_("Some characters could not be read. Please type this field again.")]
        elif not text:
            if name in form.required:
                errors[name] = [_("Please fill in this field.")]
        else:
            value, problem = _clean_one(form, name, text)
            if problem:
                errors[name] = [problem]
            elif value is not None:
                values[name] = value
    _check_channel(form, values, errors)
    return values, errors


def _box_as_text(form, name, value):
    """Return a JSON true or false sent for a checkbox field as what a ticked or unticked box sends."""
    kind = form.custom_types.get(name)
    if isinstance(value, bool) and kind and kind.kind == "checkbox":
        return "yes" if value else ""
    return value


def _check_channel(form, values, errors):
    channels = [name for name in ("email", "phone") if name in form.fields]
    if any(values.get(name) for name in channels) or any(name in errors for name in channels):
        return
    if len(channels) == 2:
        errors["email"] = [_("Enter your email address or phone number.")]
    else:
        errors[channels[0]] = [_("Please fill in this field.")]
