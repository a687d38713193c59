"""Webhook intake for WordPress form plugins and other servers: authenticate, read, accept, answer 200."""

import hmac

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_babel import gettext as _

from . import bodies, catalogue, intake, metrics, validation
from .i18n import current_language

bp = Blueprint("webhooks", __name__)
TOKEN_PARAM = "token"  # noqa: S105 (a parameter name, not a secret)


@bp.url_value_preprocessor
def find_form(_endpoint, values):
    g.server_to_server = True
    g.form = catalogue.find((values or {}).get("form_id", ""))
    if g.form is None:
        abort(404, description=_("There is no such form."))


def presented_tokens():
    """Return every token the request carries: query, X-Webhook-Token, Bearer, Basic password."""
    found = [request.args.get(TOKEN_PARAM), request.headers.get("X-Webhook-Token")]
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        found.append(value.strip())
    if request.authorization and request.authorization.type == "basic":
        found.append(request.authorization.password)
    return [token for token in found if token]


def accepted_tokens():
    """Return the secrets that open this form's webhook."""
    shared = current_app.config["WEBHOOK_TOKEN"]
    return [shared] if shared else []


def authorised():
    """Compare every presented token with every accepted one, in constant time."""
    accepted = [t.encode() for t in accepted_tokens()]
    presented = [t.encode("utf-8", "replace") for t in presented_tokens()]
    return any(hmac.compare_digest(p, a) for p in presented for a in accepted)


def _refuse(status, message, **extra):
    return jsonify(status="refused", error=message, **extra), status


@bp.route("/hooks/<form_id>", methods=["GET", "POST", "PUT", "PATCH"], strict_slashes=False)
def receive(form_id):
    form = g.form
    if not accepted_tokens():
        return _refuse(401, _("Webhooks are off: the server has no WEBHOOK_TOKEN set."))
    if not authorised():
        return _refuse(401, _("Missing or wrong token: add ?token=... to the URL, or send it as a header."))
    try:
        data = bodies.read_object(request, query=True)
    except bodies.BodyError as exc:
        return _refuse(422, str(exc))
    data.pop(TOKEN_PARAM, None)
    values, errors = validation.clean(form, data, require_consent=False)
    if errors:
        return _refuse(422, _("Some fields are not valid."), errors=errors)
    submission_id, _created = intake.accept(form, values, current_language(), source="webhook")
    metrics.accepted(form.id, "webhook")
    return jsonify(id=submission_id, status="accepted"), 200
