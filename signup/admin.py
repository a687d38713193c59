"""The admin view: every form with its event names and delivery counts, and recent submissions."""

import hmac
import json

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from . import catalogue, db, delivery
from .db import Submission

bp = Blueprint("admin", __name__, url_prefix="/admin")
RECENT = 50


def _same(given, expected):
    return hmac.compare_digest((given or "").encode("utf-8", "replace"), expected.encode("utf-8"))


@bp.before_request
def require_login():
    config = current_app.config
    if not config["ADMIN_PASSWORD"]:
        if config["DEV"]:
            return None
        abort(404, description=_("The admin view is off: set ADMIN_PASSWORD to turn it on."))
    auth = request.authorization
    if auth and _same(auth.username, config["ADMIN_USERNAME"]) and _same(auth.password, config["ADMIN_PASSWORD"]):
        return None
    return Response(
        _("Sign in with the admin user name and password."),
        401,
        {"WWW-Authenticate": 'Basic realm="signup admin", charset="UTF-8"'},
    )


@bp.after_request
def admin_headers(response):
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response


def counts_by_form():
    """Return {form id: {state: count}} over all stored submissions."""
    query = select(Submission.form_id, Submission.state, func.count()).group_by(Submission.form_id, Submission.state)
    counts = {}
    with db.session() as session:
        for form_id, state, count in session.execute(query):
            counts.setdefault(form_id, {})[state] = count
    return counts


def recent_submissions(limit=RECENT):
    """Return the newest submissions with their payload pretty-printed."""
    with db.session() as session:
        rows = session.scalars(select(Submission).order_by(Submission.created_at.desc()).limit(limit)).all()
    return [{"row": row, "payload": json.dumps(json.loads(row.payload), ensure_ascii=False, indent=2)} for row in rows]


@bp.get("/")
def index():
    return render_template(
        "admin/index.html",
        forms=catalogue.all_forms(),
        counts=counts_by_form(),
        submissions=recent_submissions(),
        paused=delivery.paused_reason(),
        dry_run=current_app.config["DRY_RUN"],
        open_admin=not current_app.config["ADMIN_PASSWORD"],
    )
