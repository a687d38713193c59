"""The machine-readable description of the JSON API and the webhook intake, served at /api/openapi.json."""

from flask import Blueprint, current_app, jsonify

from .paths import paths
from .schemas import components

bp = Blueprint("openapi", __name__)
VERSION = "0.1.0"
DESCRIPTION = """\
Sign-ups for eSputnik from sites that render their own form and from WordPress form plugins or
other servers. Every sign-up answered with success is stored first and sent to eSputnik later by
a worker, so an answer never waits for eSputnik.

Sites and apps: `GET /api/forms/{form_id}` gives the fields, texts and a single-use `token`;
send the values with `form_token` set to it to `POST /api/forms/{form_id}/submissions`.
Servers relaying sign-ups: `POST /hooks/{form_id}` with a webhook token.

Every refusal says in the form's language (`lang`, then `Accept-Language` for browsers, then the
form's own) what to do. No input gets a 5xx; a body over the size limit gets 413, too many
requests 429."""


def document(config):
    """Return the OpenAPI 3.1 document for an app with `config`."""
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "Signup forms for eSputnik", "version": VERSION, "description": DESCRIPTION},
        "tags": [
            {"name": "forms", "description": "The JSON API for sites that render their own form."},
            {"name": "webhooks", "description": "Intake for WordPress form plugins and other servers."},
        ],
        "paths": paths(),
        "components": components(),
    }
    if config.get("PUBLIC_URL"):
        # Only the configured address: a Host header must never end up in what others copy.
        doc["servers"] = [{"url": config["PUBLIC_URL"]}]
    return doc


@bp.get("/api/openapi.json")
def openapi_json():
    response = jsonify(document(current_app.config))
    # A public description: API tools in any browser tab may read it.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
