"""The operations of the JSON API and the webhook intake, with every answer each one gives."""

from ..visitors import screening
from .shapes import TEXT, schema

FORM_BODIES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(name, description, headers=None):
    answer = {"description": description, "content": {"application/json": {"schema": schema(name)}}}
    if headers:
        answer["headers"] = headers
    return answer


def _header(name, description):
    return {"name": name, "in": "header", "required": False, "description": description, "schema": TEXT}


CORS_HEADERS = {
    "Access-Control-Allow-Origin": {
        "description": "The request's Origin, when it is one of the form's allowed_origins.",
        "schema": TEXT,
    }
}
ORIGIN = _header("Origin", "Set by browsers. A site not in the form's allowed_origins is refused with 403.")
NOT_FOUND = _ref("responses", "NotFound")
TOO_LARGE = _ref("responses", "TooLarge")
TOO_MANY = _ref("responses", "TooMany")
NOT_STORED = _ref("responses", "NotStored")

DEFINITION = {
    "operationId": "getForm",
    "summary": "The form's fields, labels and texts in one language, with a fresh form token",
    "parameters": [_ref("parameters", "Lang"), _ref("parameters", "AcceptLanguage")],
    "responses": {
        "200": _json("Definition", "The form's public definition.", CORS_HEADERS),
        "404": NOT_FOUND,
    },
}

SIGN_UP_EXAMPLE = {
    screening.TOKEN_FIELD: "<the token from GET /api/forms/{form_id}>",
    "email": "ada@example.com",
    "first_name": "Ada",
    "consent": True,
}

SUBMIT = {
    "operationId": "submitSignUp",
    "summary": "Send a sign-up from a browser or an app, with the token of GET /api/forms/{form_id}",
    "description": (
        "For people's browsers and apps: the same checks as the form's own page, answered honestly. "
        "A sign-up needs a fresh `form_token` (one per sign-up; not sooner than FORM_MIN_FILL_SECONDS after "
        "it was issued), an empty honeypot, and an allowed Origin when sent from a web page. Programs "
        "that relay sign-ups from a server use POST /hooks/{form_id} with a webhook token instead: "
        "the usual HTTP libraries' User-Agents are refused here with 403 saying so."
    ),
    "parameters": [_ref("parameters", "Lang"), _ref("parameters", "AcceptLanguage"), ORIGIN],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": schema("SignUp"), "example": SIGN_UP_EXAMPLE},
            **{media: {"schema": schema("SignUp")} for media in FORM_BODIES},
        },
    },
    "responses": {
        "202": _json("Accepted", "Stored; it goes to eSputnik from the queue.", CORS_HEADERS),
        "400": _json("FieldErrors", "The body could not be read (`errors.body` says why)."),
        "403": _json(
            "FieldErrors", "Sent by a server-side HTTP library (`user_agent`) or from a site not allowed (`origin`)."
        ),
        "404": NOT_FOUND,
        "413": TOO_LARGE,
        "422": _json("FieldErrors", "Some values need fixing, or the form token is missing, expired or used."),
        "429": TOO_MANY,
        "500": NOT_STORED,
    },
}

PREFLIGHT = {
    "operationId": "preflightSignUp",
    "summary": "CORS preflight for browsers on the form's allowed_origins",
    "parameters": [ORIGIN, _header("Access-Control-Request-Method", "Set by browsers.")],
    "responses": {
        "204": {"description": "Allowed when the answer carries Access-Control-Allow-Origin.", "headers": CORS_HEADERS},
        "404": NOT_FOUND,
    },
}

HOOK_HEADERS = [
    _header("X-Hook-Test", "`true` for a plugin's connection test: answered 200 `ok`, nothing stored."),
    _header("Idempotency-Key", "An id of the entry: a repeat with the same key is stored once."),
]
HOOK_ANSWERS = {
    "200": {
        "description": "Accepted and stored (or a repeat of an entry already stored), a connection test, or a draft.",
        "content": {
            "application/json": {"schema": {"anyOf": [schema("HookAccepted"), schema("HookNotStored")]}},
        },
    },
    "401": _ref("responses", "HookUnauthorized"),
    "404": NOT_FOUND,
    "413": TOO_LARGE,
    "422": _ref("responses", "HookUnreadable"),
    "429": TOO_MANY,
    "500": NOT_STORED,
}
HOOK_BODY = {
    "required": False,
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [schema("HookFields"), {"type": "array", "description": "Formidable's list of entries."}]
            },
            "example": {"email": "ada@example.com", "first_name": "Ada"},
        },
        **{media: {"schema": schema("HookFields")} for media in FORM_BODIES},
    },
}
HOOK_SUMMARY = "Receive a sign-up from a WordPress form plugin or another server"
HOOK_DESCRIPTION = (
    "Answers within milliseconds: the sign-up is stored and sent to eSputnik later. Success is always "
    "an exact 200, never a redirect."
)


def _hook(method):
    operation = {
        "operationId": f"hook{method.capitalize()}",
        "summary": HOOK_SUMMARY,
        "description": HOOK_DESCRIPTION,
        "parameters": list(HOOK_HEADERS),
        "responses": HOOK_ANSWERS,
    }
    if method == "get":
        operation["description"] += " GET carries the fields in the query string, as several plugins send them."
        operation["parameters"].append(
            {
                "name": "fields",
                "in": "query",
                "style": "form",
                "explode": True,
                "description": "The fields as query parameters (`?email=...&first_name=...`).",
                "schema": schema("HookFields"),
            }
        )
    else:
        operation["requestBody"] = HOOK_BODY
    return operation


HOOK_PROBE = {
    "operationId": "hookHead",
    "summary": "Check that the webhook address and its token work; never stores anything",
    "responses": {
        "200": {"description": "The token is accepted."},
        "401": {"description": "The token is missing or wrong, or webhooks are off for this form."},
        "404": {"description": "There is no form with this id."},
        "429": {"description": "Too many requests with this token."},
    },
}
VIEW = {
    "operationId": "countView",
    "summary": "Count one view of a form's variant; embed.js sends it once per page view when the form is seen",
    "description": "Counted per form, variant and day; a prefetch or a bot's request is answered but not counted.",
    "parameters": [
        {
            "name": "variant",
            "in": "query",
            "required": False,
            "description": "The variant shown (the form itself is `a`).",
            "schema": {"type": "string", "default": "a", "maxLength": 40},
        }
    ],
    "responses": {
        "204": {"description": "Counted, or not counted for a prefetch or a bot."},
        "404": NOT_FOUND,
    },
}
HOOK_SECURITY = [{name: []} for name in ("tokenQuery", "tokenHeader", "bearer", "basic", "wpformsSignature")]


def paths():
    """Return the paths section: the JSON API and the webhook intake."""
    form_id = [_ref("parameters", "FormId")]
    hooks = {method: _hook(method) for method in ("get", "post", "put", "patch")}
    hooks["head"] = HOOK_PROBE
    hooks = {method: {**op, "security": HOOK_SECURITY, "tags": ["webhooks"]} for method, op in hooks.items()}
    definition, submit, preflight = ({**operation, "tags": ["forms"]} for operation in (DEFINITION, SUBMIT, PREFLIGHT))
    return {
        "/api/forms/{form_id}": {"parameters": form_id, "get": definition},
        "/api/forms/{form_id}/submissions": {"parameters": form_id, "post": submit, "options": preflight},
        "/api/forms/{form_id}/views": {"parameters": form_id, "post": {**VIEW, "tags": ["forms"]}},
        "/hooks/{form_id}": {"parameters": [*form_id, _ref("parameters", "Lang")], **hooks},
    }
