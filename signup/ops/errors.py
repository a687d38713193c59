"""Error answers: JSON for machines (API, webhooks), a small page for people, never a traceback."""

import logging

from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)
MACHINE_PREFIXES = ("/api/", "/hooks/", "/metrics", "/healthz", "/readyz")
# An error page loads the form's own stylesheet, script and icon, and nothing else. It belongs to
# no form whose sites could frame it (a form's own pages replace this with the form's policy).
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _messages():
    return {
        400: _("The request could not be read."),
        404: _("This page does not exist."),
        405: _("This address does not accept that method."),
        413: _(
            "The request is larger than %(limit)d bytes: send only the form's fields.",
            limit=current_app.config["MAX_CONTENT_LENGTH"],
        ),
        429: _("Too many attempts. Please wait a little and try again."),
        500: _("Something went wrong on our side and nothing was saved. Please try again in a minute."),
    }


def _answer(code, description=None):
    message = description or _messages().get(code) or _("The request could not be completed.")
    if request.path.startswith(MACHINE_PREFIXES) or request.accept_mimetypes.best == "application/json":
        return jsonify(status="refused", error=message), code
    response = make_response(render_template("error.html", code=code, message=message), code)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


def handle_http(exc):
    # Werkzeug's stock descriptions are long English prose; ours are short and translated.
    custom = exc.description if exc.description != type(exc).description and exc.code != 429 else None
    return _answer(exc.code or 500, custom)


def handle_unexpected(exc):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _answer(500)


def init_app(app):
    """Register the error handlers on `app`."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
