"""What a form collects beyond the contact, as the forms file gives it: hidden values, chosen groups, field types."""

from dataclasses import dataclass

from ..validation import CHECKED, has_control_characters
from .consent_link import problem as link_problem
from .form_checks import FIELD_NAME, RESERVED_NAMES, STANDARD_FIELDS

KEYS = ("hidden", "choose_groups")
# Values the host page gives; any other name is read from the form URL's query by that name.
KNOWN_HIDDEN = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "page_url", "referrer")
# Names the form page already uses for itself, so a hidden value cannot take them.
TAKEN_NAMES = {"consent", "form_token", "lang", "page", "token", "website", "groups", "variant"}
TYPES = ("text", "number", "date", "select", "checkbox")
MAX_OPTION = 255
MAX_ID = 2**31


@dataclass(frozen=True)
class FieldType:
    """The type of a custom field: text, number, date, select (with options) or checkbox (with the value it sends)."""

    kind: str = "text"
    options: tuple = ()
    value: str = CHECKED


TEXT = FieldType()


def _field_id(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < MAX_ID else None


def _option(value):
    return isinstance(value, str) and 0 < len(value.strip()) <= MAX_OPTION


def _checked_value(reader, key, value):
    """Return what a ticked checkbox sends: its `value`, else "true"; only a checkbox has one."""
    if "value" not in value:
        return CHECKED
    if value.get("type") != "checkbox":
        reader.fail(f"{key}.value", "only a checkbox has a value")
    elif not _option(value["value"]) or has_control_characters(value["value"]):
        reader.fail(f"{key}.value", 'expected the text eSputnik\'s checkbox list holds for a tick, like "Так"')
    else:
        return value["value"].strip()
    return None


def read_custom_field(reader, name, value):
    """Return (field id, FieldType) of one `custom_fields` entry, or (None, None) after a problem."""
    key = f"custom_fields.{name}"
    if not isinstance(value, dict):
        if _field_id(value) is None:
            reader.fail(key, "expected eSputnik's numeric field id, or { id = ..., type = ... }")
            return None, None
        return value, TEXT
    for unknown in sorted(set(value) - {"id", "type", "options", "value"}):
        reader.fail(f"{key}.{unknown}", "unknown key (use id, type, options, value)")
    field_id, kind = _field_id(value.get("id")), value.get("type", "text")
    if field_id is None:
        reader.fail(f"{key}.id", "expected eSputnik's numeric field id")
    if kind not in TYPES:
        reader.fail(f"{key}.type", f"expected one of {', '.join(TYPES)}, got {kind!r}")
        return None, None
    options = value.get("options", [])
    if kind == "select":
        texts = isinstance(options, list) and all(_option(o) for o in options)
        if not texts or not options or len(set(options)) != len(options):
            reader.fail(f"{key}.options", "a select needs a list of different, non-empty texts")
            return None, None
    elif "options" in value:
        reader.fail(f"{key}.options", "only a select has options")
    checked = _checked_value(reader, key, value)
    if checked is None:
        return None, None
    return field_id, FieldType(kind, tuple(o.strip() for o in options) if kind == "select" else (), checked)


def check_hidden(reader, custom):
    """Return {value name: eSputnik field id} of the form's [hidden] table."""
    raw = reader.table.get("hidden", {})
    if not isinstance(raw, dict):
        reader.fail("hidden", "expected a table of value name = eSputnik field id")
        return {}
    result = {}
    for name, field_id in raw.items():
        clash = name in STANDARD_FIELDS or name in custom or name in TAKEN_NAMES
        if not FIELD_NAME.match(name) or clash:
            reader.fail(f"hidden.{name}", "must be a lower-case name (a-z, 0-9, _) that no field or input uses")
        elif _field_id(field_id) is None:
            reader.fail(f"hidden.{name}", "expected eSputnik's numeric field id")
        else:
            result[name] = field_id
    return result


def check_choose_groups(reader, groups):
    """Return the segment names a visitor may pick, each different from the form's fixed groups."""
    chosen = reader.strings("choose_groups")
    if len(set(chosen)) != len(chosen):
        reader.fail("choose_groups", "lists a group twice")
    for name in chosen:
        if name in groups:
            reader.fail("choose_groups", f"{name!r} is already in groups, so every contact gets it")
    return chosen


def check_custom_fields(reader):
    """Return ({input name: field id}, {input name: FieldType}) of the form's [custom_fields] table."""
    raw = reader.table.get("custom_fields", {})
    if not isinstance(raw, dict):
        reader.fail("custom_fields", "expected a table of input name = eSputnik field id")
        return {}, {}
    ids, types = {}, {}
    for name, value in raw.items():
        if not FIELD_NAME.match(name) or name in STANDARD_FIELDS or name in RESERVED_NAMES:
            reader.fail(f"custom_fields.{name}", "must be a new lower-case name (a-z, 0-9, _), not a standard one")
            continue
        field_id, kind = read_custom_field(reader, name, value)
        if field_id is not None:
            ids[name], types[name] = field_id, kind
    return ids, types


def check_consent(reader, consent):
    """Name a consent text, in any language, with more than one link or a link that is not http(s)."""
    for language, text in consent.by_language.items() if consent else ():
        found = link_problem(text)
        if found:
            reader.fail("consent" if language == "*" else f"consent.{language}", found)
