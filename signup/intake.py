"""Accepting a cleaned sign-up: stored and committed before anyone is answered."""

import uuid

from flask import g, has_request_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import consent as ledger
from . import db, esputnik
from .db import Submission


def contact_key(values):
    """Return the address a submission is known by: its email, else its phone."""
    return (values.get("email") or values.get("phone") or "").lower()


def accept(form, values, language, source, dedupe_key=None, consent=None):
    """Store a submission for delivery and return (id, created).

    With a `dedupe_key` (a plugin's own entry id), a second call with the same key returns the
    first submission's id and stores nothing. With `consent` (a consent.Shown), its ledger row is
    committed in the same transaction as the submission.
    """
    payload = esputnik.encode(esputnik.build_payload(form, values, language))
    submission = Submission(
        id=uuid.uuid4().hex,
        form_id=form.id,
        source=source,
        state="pending",
        payload=payload,
        contact_key=contact_key(values),
        language=language,
        dedupe_key=dedupe_key,
        attempts=0,
    )
    try:
        with db.session() as session, session.begin():
            session.add(submission)
            if consent is not None:
                session.flush()
                ledger.record(session, submission.id, form.id, submission.contact_key, consent)
    except IntegrityError:
        existing = _find_by_dedupe_key(dedupe_key) if dedupe_key else None
        if existing is None:
            raise
        return _noted(existing), False
    return _noted(submission.id), True


def _noted(submission_id):
    # The request's log line names the submission, so a visitor's request can be followed to eSputnik.
    if has_request_context():
        g.submission_id = submission_id
    return submission_id


def _find_by_dedupe_key(key):
    with db.session() as session:
        return session.scalar(select(Submission.id).where(Submission.dedupe_key == key))
