"""The JSON API: a form's public definition with a fresh token, and submissions from scripts."""

import uuid

from flask import Blueprint, abort, g, jsonify, request
from flask_babel import gettext as _

from . import bodies, catalogue, consent, fields, intake, metrics, screening, tokens, validation
from .form_checks import origin_of
from .i18n import current_language
from .public import captcha_errors

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.url_value_preprocessor
def find_form(_endpoint, values):
    g.form = catalogue.find((values or {}).get("form_id", ""))
    if g.form is None:
        abort(404, description=_("There is no such form."))


def _allowed_origin():
    """Return the request's Origin when the form allows it, else None."""
    origin = origin_of(request.headers.get("Origin"))
    return origin if origin and origin in g.form.allowed_origins else None


@bp.after_request
def cors(response):
    origin = _allowed_origin() if g.get("form") is not None else None
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/forms/<form_id>")
def definition(form_id):
    form, language = g.form, current_language()
    texts = fields.texts(form, language)
    return jsonify(
        id=form.id,
        language=language,
        fields=fields.describe(form, language),
        consent=texts["consent"],
        texts={key: texts[key] for key in ("title", "description", "submit", "thanks")},
        token=tokens.issue(form.id),
        token_field=screening.TOKEN_FIELD,
        honeypot_field=screening.HONEYPOT,
        redirect_url=form.redirect_url,
    )


@bp.route("/forms/<form_id>/submissions", methods=["OPTIONS"])
def preflight(form_id):
    return "", 204


def _errors(errors, status=422):
    return jsonify(errors=errors), status


@bp.post("/forms/<form_id>/submissions")
def submit(form_id):
    form = g.form
    try:
        data = bodies.read_object(request)
    except bodies.BodyError as exc:
        return _errors({"body": [str(exc)]}, 400)
    verdict = screening.screen(form, data)
    if verdict == screening.EXPIRED:
        message = _("Send the form_token from GET /api/forms/%(id)s; tokens expire, so fetch a new one.", id=form.id)
        return _errors({screening.TOKEN_FIELD: [message]})
    if verdict == screening.FOREIGN_ORIGIN:
        return _errors({"origin": [_("This site may not send sign-ups to this form.")]}, 403)
    if verdict:
        screening.accept_time.imitate()
        return jsonify(id=uuid.uuid4().hex, status="accepted"), 202
    values, errors = validation.clean(form, data)
    errors.update(captcha_errors(form, data))
    if errors:
        return _errors(errors)
    submission_id, _created = intake.accept(
        form,
        values,
        current_language(),
        source="api",
        token_nonce=g.form_token_nonce,
        consent=consent.shown(form, data),
    )
    if submission_id is None:
        return jsonify(id=uuid.uuid4().hex, status="accepted"), 202
    metrics.accepted(form.id, "api")
    return jsonify(id=submission_id, status="accepted"), 202
