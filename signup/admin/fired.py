"""What fired in eSputnik per form: sign-ups of new contacts, of known ones, and addresses already blacklisted."""

from dataclasses import dataclass
from datetime import timedelta

from flask import g
from sqlalchemy import case, func, select

from .. import db
from ..db import Submission, utcnow
from ..states import State
from .access import bp

BLACKLISTED = "BLACKLISTED"
DAYS = 7


@dataclass(frozen=True)
class Fired:
    """Delivered sign-ups of one form: new contacts, known ones, answers that did not say, blacklisted."""

    new: int = 0
    known: int = 0
    untold: int = 0
    blacklisted: int = 0


def by_form(now=None):
    """Return {form id: Fired} for the sign-ups delivered in the last DAYS days."""
    since = (now or utcnow()) - timedelta(days=DAYS)

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            Submission.form_id,
            count(Submission.contact_new.is_(True)),
            count(Submission.contact_new.is_(False)),
            count(Submission.contact_new.is_(None)),
            count(Submission.email_status == BLACKLISTED),
        )
        .where(Submission.state == State.DELIVERED, Submission.created_at >= since)
        .group_by(Submission.form_id)
    )
    with db.session() as session:
        return {row[0]: Fired(*(int(n or 0) for n in row[1:])) for row in session.execute(query)}


def _for_page():
    if "fired" not in g:
        g.fired = by_form()
    return g.fired


@bp.context_processor
def fired_counts():
    # A function, not a value: only the page that shows the counts reads them, once per request.
    return {"fired_by_form": _for_page}
