"""What an operator may do to stored submissions, from the command line and the admin alike."""

from sqlalchemy import update

from .. import db
from ..db import Submission, utcnow
from ..states import DISCARDABLE, RETRYABLE, State


def requeue(ids=(), states=()):
    """Make chosen submissions due again now (by id or by state), those in a RETRYABLE state; return how many."""
    if not ids and not states:
        return 0
    condition = Submission.id.in_(ids) if ids else Submission.state.in_(states)
    now = utcnow()
    with db.session() as session, session.begin():
        result = session.execute(
            update(Submission)
            .where(condition, Submission.state.in_(RETRYABLE), Submission.purged_at.is_(None))
            .values(
                state=State.PENDING,
                queued_at=now,
                next_attempt_at=now,
                lease_owner=None,
                lease_until=None,
                updated_at=now,
            )
        )
    return result.rowcount


def discard(ids):
    """Mark chosen submissions in a DISCARDABLE state as discarded by an operator; return how many."""
    with db.session() as session, session.begin():
        result = session.execute(
            update(Submission)
            .where(Submission.id.in_(ids), Submission.state.in_(DISCARDABLE))
            .values(state=State.DISCARDED, lease_owner=None, lease_until=None, updated_at=utcnow())
        )
    return result.rowcount
