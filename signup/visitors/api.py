"""The JSON API: a form's public definition with a fresh token, and submissions from scripts."""

import math

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext

from ..forms import catalogue, fields
from ..i18n import current_language
from ..ops import refusals
from ..webhooks import bodies
from . import pipeline, screening, tokens

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.url_value_preprocessor
def find_form(_endpoint, values):
    g.form = catalogue.found(pipeline.find_form((values or {}).get("form_id")))


@bp.after_request
def cors(response):
    form = g.get("form")
    origin = screening.allowed_origin(form, request.headers.get("Origin")) if form is not None else None
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
        groups=fields.group_choices(form, language),
        hidden=list(form.hidden),
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


# What a program should do about each token verdict; %(id)s is the form's id.
TOKEN_ADVICE = {
    screening.EXPIRED: lazy_gettext(
        "Send the form_token from GET /api/forms/%(id)s; tokens expire, so fetch a new one."
    ),
    screening.FORGED: lazy_gettext(
        "This form_token was not issued here. Send the token from GET /api/forms/%(id)s unchanged."
    ),
    screening.WRONG_FORM: lazy_gettext(
        "This form_token belongs to another form. Fetch one for this form from GET /api/forms/%(id)s."
    ),
    screening.REUSED: lazy_gettext(
        "This form_token was already used. Fetch a new one from GET /api/forms/%(id)s for each sign-up."
    ),
}


def _token_wait():
    """Return the advice on how long to wait between fetching a token and sending it."""
    seconds = max(1, math.ceil(current_app.config["FORM_MIN_FILL_SECONDS"]))
    return ngettext(
        "Sent too soon: wait at least %(num)d second after GET /api/forms/%(id)s before sending the form.",
        "Sent too soon: wait at least %(num)d seconds after GET /api/forms/%(id)s before sending the form.",
        seconds,
        id=g.form.id,
    )


def _refusal(verdict):
    """Return (status, key, message) for a submission a bot check stopped, saying what to do instead."""
    if verdict == screening.USER_AGENT:
        message = _(
            "This address takes sign-ups from visitors' browsers. "
            "Send server-to-server sign-ups to /hooks/%(id)s with a webhook token.",
            id=g.form.id,
        )
        return 403, "user_agent", message
    if verdict == screening.FOREIGN_ORIGIN:
        return 403, "origin", _("This site may not send sign-ups to this form.")
    if verdict == screening.HONEYPOT_FILLED:
        return 422, screening.HONEYPOT, _("Leave the website field empty: it is there to catch bots.")
    if verdict == screening.TOO_FAST:
        return 422, screening.TOKEN_FIELD, _token_wait()
    return 422, screening.TOKEN_FIELD, str(TOKEN_ADVICE[verdict]) % {"id": g.form.id}


def _refused(verdict):
    status, key, message = _refusal(verdict)
    refusals.record(g.form.id, "api", status, message)
    return _errors({key: [message]}, status)


@bp.post("/forms/<form_id>/submissions")
def submit(form_id):
    form = g.form
    try:
        data = bodies.read_object(request)
    except bodies.BodyError as exc:
        refusals.record(form.id, "api", exc.status or 400, str(exc))
        if exc.status == 413:  # the one shape every 413 of the service has
            return jsonify(status="refused", error=str(exc)), 413
        return _errors({"body": [str(exc)]}, exc.status or 400)
    # Callers are programs: every check's verdict is answered honestly, never with a success.
    try:
        submission_id = pipeline.run(form, data, source="api")
    except pipeline.Stopped as stop:
        return _errors(stop.errors) if stop.errors else _refused(stop.verdict)
    return jsonify(id=submission_id, status="accepted"), 202
