"""The shapes of the JSON API for sites that render their own form: the form's definition and a sign-up."""

from ..i18n import LANGUAGES
from ..visitors import screening
from .shapes import TEXT, TEXT_OR_NUMBER, field_values, schema

# The hidden values a form may store besides its fields; a form's `hidden` table may name others.
HIDDEN_VALUES = {
    "utm_source": "The host page's utm_source tag.",
    "utm_medium": "The host page's utm_medium tag.",
    "utm_campaign": "The host page's utm_campaign tag.",
    "utm_term": "The host page's utm_term tag.",
    "utm_content": "The host page's utm_content tag.",
    "page_url": "The address of the page the form was on (an absolute http(s) URL).",
    "referrer": "Where the person came to that page from (an absolute http(s) URL), kept without query or fragment.",
}
FIELD_TYPES = ("email", "tel", "text", "number", "date", "select", "checkbox")


def _hidden_values():
    note = " Stored only when the form's `hidden` table names it; an implausible URL is left out."
    return {name: {**TEXT_OR_NUMBER, "description": text + note} for name, text in HIDDEN_VALUES.items()}


SCHEMAS = {
    "Field": {
        "type": "object",
        "required": ["name", "label", "type", "autocomplete", "required"],
        "properties": {
            "name": {**TEXT, "description": "The input name to send the value under."},
            "label": TEXT,
            "type": {
                "enum": list(FIELD_TYPES),
                "description": (
                    "The input to render: an HTML input type, or `select` (one of `options`). Send a `number` "
                    "as a whole number, a `date` as `2026-03-31` (`31.03.2026` is read too), a `checkbox` as "
                    "`true` (or `yes`) when ticked, `false` or left out when not."
                ),
            },
            "autocomplete": {**TEXT, "description": "The HTML autocomplete hint."},
            "required": {"type": "boolean"},
            "options": {
                "type": "array",
                "items": TEXT,
                "description": "For a `select`, the values to choose among, in order; send one of them as it is.",
            },
        },
        "if": {"properties": {"type": {"const": "select"}}},
        "then": {"required": ["options"]},
        "else": {"not": {"required": ["options"]}},
    },
    "GroupChoice": {
        "type": "object",
        "description": "A segment the person may tick: send its `name` in the sign-up's `groups`.",
        "required": ["name", "label"],
        "properties": {"name": TEXT, "label": {**TEXT, "description": "The text to show beside the box."}},
    },
    "Definition": {
        "type": "object",
        "required": [
            "id",
            "language",
            "fields",
            "groups",
            "hidden",
            "consent",
            "texts",
            "token",
            "token_field",
            "honeypot_field",
        ],
        "properties": {
            "id": TEXT,
            "language": {"enum": list(LANGUAGES), "description": "The language of every text here."},
            "fields": {"type": "array", "items": schema("Field")},
            "groups": {
                "type": "array",
                "items": schema("GroupChoice"),
                "description": "The segments the person may pick, as checkboxes (none when the form offers none).",
            },
            "hidden": {
                "type": "array",
                "items": TEXT,
                "description": (
                    "Names of the values the form stores without showing them (`utm_source`, `utm_medium`, "
                    "`utm_campaign`, `utm_term`, `utm_content`, `page_url`, `referrer`, or any other configured "
                    "name): send each that the page knows under its name, as text."
                ),
            },
            "consent": {
                "type": ["string", "null"],
                "description": "Text of the consent checkbox; when present, send `consent: true` with the sign-up.",
            },
            "texts": {
                "type": "object",
                "required": ["title", "description", "submit", "thanks"],
                "properties": {
                    "title": TEXT,
                    "description": {"type": ["string", "null"]},
                    "submit": TEXT,
                    "thanks": TEXT,
                },
            },
            "token": {
                **TEXT,
                "description": (
                    "A signed form token for one sign-up: send it back as `form_token`. It is refused when sent "
                    "sooner than FORM_MIN_FILL_SECONDS after it was issued, after FORM_TOKEN_MAX_AGE, or twice."
                ),
            },
            "token_field": {"const": screening.TOKEN_FIELD},
            "honeypot_field": {"const": screening.HONEYPOT},
            "redirect_url": {"type": ["string", "null"], "description": "Where the form's own page goes after."},
        },
    },
    "SignUp": {
        "type": "object",
        "description": (
            "The values by input name (the `fields` of the definition), the token, and an empty honeypot. "
            "Custom fields and hidden values of the form are sent the same way, as text (a whole number may "
            "be a JSON number, a checkbox `true` or `false`); a value that does not fit its field's `type` is "
            "refused with 422 naming it."
        ),
        "required": [screening.TOKEN_FIELD],
        "properties": {
            screening.TOKEN_FIELD: {**TEXT, "description": "The `token` from GET /api/forms/{form_id}, unchanged."},
            screening.HONEYPOT: {"const": "", "description": "Leave empty or leave out: it catches bots."},
            "consent": {
                "type": ["boolean", "string"],
                "description": "`true` (or `on`) when the person ticked the consent box.",
            },
            "lang": {"enum": list(LANGUAGES), "description": "The language the person saw the form in."},
            "groups": {
                "anyOf": [{"type": "array", "items": TEXT}, TEXT],
                "description": (
                    "The `name`s of the definition's `groups` the person ticked (a list, or one name). "
                    "A name the form does not offer is refused with 422; nothing ticked may be left out."
                ),
            },
            **field_values(),
            **_hidden_values(),
        },
        "additionalProperties": {
            "type": ["string", "number", "boolean"],
            "description": "A custom field of the form, or a hidden value its `hidden` table names.",
        },
    },
    "Accepted": {
        "type": "object",
        "description": "Stored and committed; it goes to eSputnik from the queue. Nothing else is a success.",
        "required": ["id", "status"],
        "properties": {"id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "status": {"const": "accepted"}},
    },
}
