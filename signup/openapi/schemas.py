"""The shapes the JSON API and the webhook intake read and answer, as OpenAPI 3.1 components."""

from ..i18n import LANGUAGES
from ..visitors import screening
from . import form_schemas
from .shapes import MESSAGES, TEXT, field_values, schema

PLUGIN_FORMATS = (
    "plain",
    "elementor",
    "wpforms",
    "gravity",
    "fluentforms",
    "formidable",
    "metform",
    "jetformbuilder",
)
SCHEMAS = {
    "Refusal": {
        "type": "object",
        "description": "A request turned away: `error` says, in the form's language, what to do instead.",
        "required": ["status", "error"],
        "properties": {"status": {"const": "refused"}, "error": TEXT},
    },
    "FieldErrors": {
        "type": "object",
        "description": (
            "Messages per input name, in the form's language. Besides the form's fields and hidden values, the "
            f"keys may be `{screening.TOKEN_FIELD}` (fetch a fresh token), `{screening.HONEYPOT}` (leave it empty), "
            "`consent`, `groups` (choose among the offered ones), "
            "`body` (the body could not be read), `user_agent` or `origin` (send from a browser or an allowed site)."
        ),
        "required": ["errors"],
        "properties": {"errors": {"type": "object", "additionalProperties": MESSAGES}},
    },
    **form_schemas.SCHEMAS,
    "HookFields": {
        "type": "object",
        "description": (
            "A flat object whose keys are the form's field names always works. The bodies that WordPress "
            "form plugins send (Elementor, WPForms, Gravity Forms, Fluent Forms, Formidable, MetForm, "
            "JetFormBuilder, Contact Form 7, Ninja Forms) are recognised too; their keys are mapped by "
            "`webhook_fields` in the forms file or by common names. Form-encoded keys like `fields[email]` nest."
        ),
        "properties": {**field_values(), "lang": {"enum": list(LANGUAGES)}},
        "additionalProperties": True,
    },
    "HookAccepted": {
        "type": "object",
        "required": ["id", "status", "format"],
        "properties": {
            "id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "status": {"const": "accepted"},
            "format": {"enum": list(PLUGIN_FORMATS), "description": "The body format that was recognised."},
            "duplicate": {"const": True, "description": "The plugin sent this entry before; stored once."},
            "left_out": {
                "type": "object",
                "additionalProperties": MESSAGES,
                "description": "Optional fields that were not valid and were left out of the sign-up.",
            },
        },
    },
    "HookNotStored": {
        "type": "object",
        "description": "A plugin's connection test (`ok`) or a draft entry (`ignored`): nothing was stored.",
        "required": ["status", "message"],
        "properties": {"status": {"enum": ["ok", "ignored"]}, "message": TEXT},
    },
    "HookRefusal": {
        "type": "object",
        "required": ["status", "error"],
        "properties": {
            "status": {"const": "refused"},
            "error": TEXT,
            "errors": {"type": "object", "additionalProperties": MESSAGES},
            "received_keys": {
                "type": "array",
                "items": TEXT,
                "description": "The keys the body held (at most 40), to map with `webhook_fields`.",
            },
        },
    },
}


def _json(name, description, headers=None):
    answer = {"description": description, "content": {"application/json": {"schema": schema(name)}}}
    if headers:
        answer["headers"] = headers
    return answer


RESPONSES = {
    "NotFound": _json("Refusal", "There is no form with this id."),
    "TooLarge": _json("Refusal", "The body is larger than the service's limit (MAX_CONTENT_LENGTH)."),
    "TooMany": _json(
        "Refusal",
        "Too many requests from this client for this form (RATE_LIMIT; for webhooks, per token).",
        headers={"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    ),
    "NotStored": _json(
        "Refusal",
        "The service could not store the sign-up (its database is unreachable): nothing was stored; send it "
        "again later. No input causes this.",
    ),
    "HookUnauthorized": _json(
        "Refusal", "The token is missing or wrong, webhooks are off for this form, or the WPForms signature fails."
    ),
    "HookUnreadable": _json(
        "HookRefusal",
        "Nothing usable: the body could not be read, or no valid email or phone was found (`errors` and "
        "`received_keys` say which).",
    ),
}

PARAMETERS = {
    "FormId": {
        "name": "form_id",
        "in": "path",
        "required": True,
        "description": "The form's id from the forms catalogue.",
        "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"},
    },
    "Lang": {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "The language of texts and messages; other values are ignored.",
        "schema": {"enum": list(LANGUAGES)},
    },
    "AcceptLanguage": {
        "name": "Accept-Language",
        "in": "header",
        "required": False,
        "description": "Used when `lang` is not given; then the form's own language.",
        "schema": TEXT,
    },
}

SECURITY_SCHEMES = {
    "tokenQuery": {"type": "apiKey", "in": "query", "name": "token", "description": "WEBHOOK_TOKEN or a form's own."},
    "tokenHeader": {"type": "apiKey", "in": "header", "name": "X-Webhook-Token"},
    "bearer": {"type": "http", "scheme": "bearer", "description": "The token as a Bearer token."},
    "basic": {"type": "http", "scheme": "basic", "description": "Any user name; the token as the password."},
    "wpformsSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-WPForms-Webhook-Signature",
        "description": "WPForms' signature `t=<time>,v=<hmac>`, checked with the form's `wpforms_secret`.",
    },
}


def components():
    """Return the components section of the document."""
    return {"schemas": SCHEMAS, "responses": RESPONSES, "parameters": PARAMETERS, "securitySchemes": SECURITY_SCHEMES}
