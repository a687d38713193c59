"""Views counted cheaply: one beacon per form seen, added to a counter per form, variant and day."""

import re
from datetime import datetime, time, timedelta

from flask import Blueprint, abort, request
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import db
from ..db import Submission, VariantViews, utcnow
from ..forms import catalogue
from ..intake import VARIANT_SOURCES
from ..states import SIGNED_UP

bp = Blueprint("variants", __name__)
VIEWS = VariantViews.__table__
# Crawlers, link previews and monitors do not see forms; scripted clients are caught by the same words.
BOTS = re.compile(
    r"^$|bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|lighthouse|pingdom|monitor|"
    r"curl|wget|python|java/|okhttp|go-http-client|node-fetch|axios|phantomjs",
    re.IGNORECASE,
)
ADD_VIEW = {
    name: dialect.insert(VIEWS)
    .values(views=1)
    .on_conflict_do_update(index_elements=["form_id", "variant", "day"], set_={"views": VIEWS.c.views + 1})
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def is_counted(headers):
    """Tell whether a view request comes from a person's browser showing the form (no prefetch, no bot)."""
    purpose = f"{headers.get('Sec-Purpose', '')} {headers.get('Purpose', '')} {headers.get('X-Moz', '')}"
    if "prefetch" in purpose.lower() or "prerender" in purpose.lower():
        return False
    return not BOTS.search(headers.get("User-Agent", "").strip())


def add_view(form_id, variant, day):
    """Add one view to the day's counter of a form's variant."""
    with db.engine().begin() as connection:
        statement = ADD_VIEW[connection.dialect.name]
        connection.execute(statement, {"form_id": form_id, "variant": variant, "day": day})


@bp.post("/api/forms/<form_id>/views")
def view(form_id):
    form = catalogue.find(form_id)
    if form is None:
        abort(404)
    variant = request.args.get("variant", "a")
    if variant != "a" and variant not in form.variants:
        abort(404)
    if is_counted(request.headers):
        add_view(form.id, variant, utcnow().date())
    return "", 204


def totals(form_id, days, today=None):
    """Return {variant: (views, sign-ups)} of a form over the last `days` days, today included."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time())
    counts = {}
    with db.engine().connect() as connection:
        viewed = select(VIEWS.c.variant, func.sum(VIEWS.c.views)).where(
            VIEWS.c.form_id == form_id, VIEWS.c.day >= first
        )
        for variant, views in connection.execute(viewed.group_by(VIEWS.c.variant)):
            counts[variant] = [int(views), 0]
        signed = select(Submission.variant, func.count()).where(
            Submission.form_id == form_id,
            Submission.created_at >= since,
            Submission.source.in_(VARIANT_SOURCES),
            Submission.state.in_(SIGNED_UP),
            Submission.variant.is_not(None),
        )
        for variant, count in connection.execute(signed.group_by(Submission.variant)):
            counts.setdefault(variant, [0, 0])[1] = count
    return {variant: tuple(pair) for variant, pair in counts.items()}
