"""Recognising which WordPress form plugin sent a webhook, and flattening its payload into labelled items."""

import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from . import bodies
from .brackets import walk

GRAVITY_FIELD = re.compile(r"^\d+(?:\.\d+)?$")
# Sub-inputs of a Gravity Forms Name field; an Address field also has .3 and .6 but always .1 and .5 too.
GRAVITY_NAME_INPUTS = {"2": "prefix", "3": "first name", "4": "middle name", "6": "last name", "8": "suffix"}
GRAVITY_ADDRESS_INPUTS = {"1", "5"}
FORMIDABLE_ENTRY = {
    "id",
    "item_key",
    "name",
    "description",
    "ip",
    "form_id",
    "post_id",
    "user_id",
    "parent_item_id",
    "is_draft",
    "updated_by",
    "created_at",
    "updated_at",
}
METFORM_OUTER = {"entries", "entry_id", "form_id", "version", "file_uploads", "referrer_url"}
FLUENT_EXTRAS = ("__submission", "__order_items", "__transactions")
ENTRY_ID_KEYS = ("entry_id", "entry-id", "entryId")  # where a site owner can put WPForms' {entry_id}


@dataclass
class Item:
    """One value of a payload: its key, the label the plugin gave it, and whether the visitor typed it."""

    key: str
    value: object
    label: str | None = None
    kind: str | None = None  # the plugin's field type, where it sends one (Elementor: email, tel, ...)
    meta: bool = False  # the plugin's own data about the entry (ids, dates, IP), never guessed as a contact field


@dataclass
class PluginPayload:
    """A payload as understood: which plugin, its items, and the plugin's own identity of the entry."""

    plugin: str
    items: list = field(default_factory=list)
    entry: tuple = ()  # the plugin's ids (and creation time) of the entry, stable across its retries
    test: bool = False
    draft: bool = False


class PayloadError(Exception):
    """A payload whose shape is recognised but whose content cannot be read."""


def _items(data, meta=(), prefix_meta=()):
    return [
        Item(key, value, meta=key.split("[", 1)[0] in meta or key.startswith(prefix_meta))
        for key, value in walk(data)
        if key
    ]


def _text(value):
    return str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _json_object(text, what):
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise PayloadError(_("The %(key)s value is not valid JSON.", key=what)) from None
    if not isinstance(value, dict):
        raise PayloadError(_("The %(key)s value is not a JSON object.", key=what))
    if bodies.count_values(value) > bodies.MAX_VALUES:
        raise bodies.too_many()  # JSON inside a value is held to the same cap as the body
    return value


def elementor_simple(data, headers):
    """Elementor Pro, Advanced Data off: one key per field label, then meta titles, form_id and form_name."""
    items = _items(data, meta={"form_id", "form_name"})
    return PluginPayload("elementor", items)


def elementor_advanced(data, headers):
    """Elementor Pro, Advanced Data on: form[...], fields[<id>][title|type|value], meta[<key>][title|value]."""
    items = []
    for custom_id, spec in data["fields"].items():
        if isinstance(spec, dict):
            kind = _text(spec.get("type")) or None
            items.append(Item(str(custom_id), spec.get("value"), label=_text(spec.get("title")) or None, kind=kind))
    for key, spec in (data.get("meta") or {}).items():
        if isinstance(spec, dict):
            items.append(Item(str(key), spec.get("value"), label=_text(spec.get("title")) or None, meta=True))
    return PluginPayload("elementor", items)


def wpforms(data, headers):
    """WPForms Webhooks: only the keys the site owner mapped; X-WPForms-Webhook-Id names the webhook."""
    items = _items(data, meta=set(ENTRY_ID_KEYS))
    entry_id = next((_text(data.get(key)) for key in ENTRY_ID_KEYS if _text(data.get(key))), "")
    entry = (entry_id, _text(headers.get("X-WPForms-Webhook-Id"))) if entry_id else ()
    return PluginPayload("wpforms", items, entry)


def gravity(data, headers):
    """Gravity Forms Webhooks, All Fields: the entry object, fields keyed by id and sub-input id ("1.3")."""
    name_fields = _gravity_name_fields(data)
    items = []
    for key, value in walk(data):
        if not GRAVITY_FIELD.match(key.split("[", 1)[0]):
            items.append(Item(key, value, meta=True))
            continue
        base, _dot, sub = key.partition(".")
        label = GRAVITY_NAME_INPUTS.get(sub) if sub and base in name_fields else None
        items.append(Item(key, value, label=label))
    return PluginPayload("gravity", items, (_text(data.get("id")), _text(data.get("date_created"))))


def _gravity_name_fields(data):
    """Return the field ids whose sub-inputs make a Name field: one pass over the keys."""
    subs = {}
    for key in data:
        base, _dot, sub = str(key).partition(".")
        subs.setdefault(base, set()).add(sub)
    return {base for base, found in subs.items() if found & {"3", "6"} and not found & GRAVITY_ADDRESS_INPUTS}


def fluent(data, headers):
    """Fluent Forms: element names (composites nested), plus the __submission row with the entry id."""
    submission = data["__submission"]
    fields = {key: value for key, value in data.items() if key not in FLUENT_EXTRAS}
    entry = (_text(submission.get("id")), _text(submission.get("form_id")), _text(submission.get("created_at")))
    return PluginPayload("fluentforms", _items(fields, prefix_meta=("_",)), entry)


def formidable(data, headers):
    """Formidable API, no Map Data: a JSON array holding the entry row merged with values by field key."""
    row = data[0] if isinstance(data, list) else data.get("0", data)
    items = _items(row, meta=FORMIDABLE_ENTRY)
    for item in items:
        base = item.key.removesuffix("-value")
        item.meta = item.meta or (base != item.key and base in row)  # `<key>-value` repeats a stored value
    entry = (_text(row.get("id")), _text(row.get("form_id")), _text(row.get("created_at")))
    return PluginPayload("formidable", items, entry, draft=_text(row.get("is_draft")) == "1")


def metform(data, headers):
    """MetForm Rest API: `entries` is a JSON string of the inputs; entry_id is set when entries are stored."""
    entries = data["entries"]
    if isinstance(entries, str):
        entries = _json_object(entries, "entries") if entries.strip() else {}
    if not isinstance(entries, dict):
        raise PayloadError(_("The %(key)s value is not a JSON object.", key="entries"))
    entry_id = _text(data.get("entry_id"))
    return PluginPayload("metform", _items(entries), (entry_id, _text(data.get("form_id"))) if entry_id else ())


def jetformbuilder(data, headers):
    """JetFormBuilder Call Webhook: field names plus __form_id, __refer and __is_ajax."""
    return PluginPayload("jetformbuilder", _items(data, prefix_meta=("__",)))


def plain(data, headers):
    """Anything else: CF7 to Webhook, Ninja Forms, a Select Fields feed, or another server's flat body."""
    key = _text(headers.get("Idempotency-Key"))
    return PluginPayload("plain", _items(data, prefix_meta=("_",)), (key,) if key else ())


def _is_formidable(data):
    if isinstance(data, list):
        return len(data) >= 1 and isinstance(data[0], dict)
    row = data.get("0") if set(data) == {"0"} else data
    return isinstance(row, dict) and "item_key" in row and "form_id" in row


def _is_gravity(data):
    return "date_created" in data and "form_id" in data and any(GRAVITY_FIELD.match(str(k)) for k in data)


def _is_wpforms(data, headers):
    agent = headers.get("User-Agent", "")
    return "X-WPForms-Webhook-Id" in headers or agent.startswith("wpforms-webhooks")


SHAPES = (
    (lambda d, h: isinstance(d, dict) and _is_wpforms(d, h), wpforms),
    (lambda d, h: isinstance(d, dict) and isinstance(d.get("__submission"), dict), fluent),
    (lambda d, h: isinstance(d, dict) and "__form_id" in d, jetformbuilder),
    (lambda d, h: isinstance(d, dict) and "entries" in d and len(set(d) & METFORM_OUTER) >= 2, metform),
    (lambda d, h: isinstance(d, dict) and isinstance(d.get("form"), dict) and isinstance(d.get("fields"), dict),
     elementor_advanced),
    (lambda d, h: isinstance(d, dict) and "form_id" in d and "form_name" in d, elementor_simple),
    (lambda d, h: _is_formidable(d), formidable),
    (lambda d, h: isinstance(d, dict) and _is_gravity(d), gravity),
)  # fmt: skip


def unwrap(data):
    """Return the object inside a body that is one JSON string (Ninja Forms' "JSON as a single variable")."""
    if isinstance(data, dict) and len(data) == 1:
        (value,) = data.values()
        if isinstance(value, str) and value.lstrip().startswith("{"):
            try:
                inner = json.loads(value)
            except (ValueError, RecursionError):
                return data
            if isinstance(inner, dict) and bodies.count_values(inner) > bodies.MAX_VALUES:
                raise bodies.too_many()
            return inner if isinstance(inner, dict) else data
    return data


def read(data, headers):
    """Return the PluginPayload for a request's data (already nested) and headers."""
    if headers.get("X-Hook-Test", "").lower() == "true":
        return PluginPayload("formidable", test=True)  # Formidable's "Test Connection" button
    data = unwrap(data)
    if isinstance(data, (dict, list)):
        for matches, build in SHAPES:
            if matches(data, headers):
                return build(data, headers)
    if not isinstance(data, dict):
        raise PayloadError(_("Send a JSON object whose keys are the form's field names."))
    return plain(data, headers)
