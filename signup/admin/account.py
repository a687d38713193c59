"""The admin's account check: each form against its own eSputnik account, kept for every process, run on request."""

import json
from datetime import datetime

from flask import abort, g, redirect, request, url_for
from flask_babel import gettext as _

from .. import db
from ..db import Flag
from ..forms import account_check, catalogue
from ..forms.accounts import DEFAULT
from .access import ActionForm, bp

FLAG = "account_check"
# The admin waits for this check, so it gets a shorter leash than deliveries do.
CHECK_TIMEOUT = 5.0


def save(report):
    """Keep the report where every process finds it."""
    value = json.dumps(
        {
            "problems": report.problems,
            "errors": report.errors,
            "accounts": report.accounts,
            "at": report.checked_at.isoformat(),
        }
    )
    with db.session() as session, session.begin():
        flag = session.get(Flag, FLAG)
        if flag is None:
            session.add(Flag(name=FLAG, value=value, updated_at=report.checked_at))
        else:
            flag.value, flag.updated_at = value, report.checked_at


def last():
    """Return the last account check's Report, or None when none was run (read once per request)."""
    if "account_report" not in g:
        g.account_report = _stored()
    return g.account_report


def _stored():
    with db.session() as session:
        flag = session.get(Flag, FLAG)
        value = flag.value if flag else None
    if value is None:
        return None
    data = json.loads(value)
    # A report kept before accounts were checked one by one holds the default account's error alone.
    errors = data["errors"] if "errors" in data else {DEFAULT: data["error"]} if data.get("error") else {}
    at = datetime.fromisoformat(data["at"])
    return account_check.Report(data["problems"], errors, at, data.get("accounts", {}))


@bp.context_processor
def account_report():
    # A function, not a value: only the page that shows the check reads it.
    return {"account_report": last, "mismatch": account_check.describe}


@bp.post("/account-check")
def check_account():
    # It asks eSputnik and writes the report, so it takes a button with the CSRF token, never a link.
    if not ActionForm().validate_on_submit():
        abort(400, description=_("The page had expired; reload it and try again."))
    save(account_check.check_all(timeout=CHECK_TIMEOUT))
    form_id = request.form.get("form", "")
    # Back to the row of the form whose button was pressed.
    anchor = f"#account-{form_id}" if catalogue.find(form_id) else ""
    return redirect(url_for("admin.index") + anchor, 303)
