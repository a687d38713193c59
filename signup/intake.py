"""Accepting a cleaned sign-up: stored and committed before anyone is answered, duplicates collapsed."""

import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from . import db, esputnik
from .db import Submission, utcnow


def contact_key(values):
    """Return the address a submission is known by: its email, else its phone."""
    return (values.get("email") or values.get("phone") or "").lower()


def _lock_contact(session, form_id, key):
    # Serialises intakes for one address on one form, so two clicks a millisecond apart
    # see each other. SQLite already serialises every write transaction (BEGIN IMMEDIATE).
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{form_id}\n{key}"})


def _latest(session, form_id, key, since):
    query = (
        select(Submission)
        .where(
            Submission.contact_key == key,
            Submission.form_id == form_id,
            Submission.created_at >= since,
            Submission.state.in_(("pending", "delivered", "dry_run")),
        )
        .order_by(Submission.created_at.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _mergeable(row, now):
    """Tell whether a pending row has never been sent and is not being sent now."""
    idle = row.lease_until is None or row.lease_until < now
    return row.state == "pending" and row.attempts == 0 and idle


def _store(session, form, payload, key, language, source, dedupe_key):
    """Return (id, created): merge into, mark as duplicate of, or add beside a recent submission."""
    now = utcnow()
    window = timedelta(seconds=current_app.config["DUPLICATE_WINDOW_SECONDS"])
    recent = _latest(session, form.id, key, now - window) if window else None
    if recent is not None and _mergeable(recent, now):
        recent.payload, recent.updated_at, recent.source = payload, now, source
        return recent.id, False
    state, note = "pending", None
    if recent is not None and recent.payload == payload:
        state, note = "duplicate", f"same as {recent.id}, sent once"
    row = Submission(
        id=uuid.uuid4().hex,
        form_id=form.id,
        source=source,
        state=state,
        payload=payload,
        contact_key=key,
        language=language,
        dedupe_key=dedupe_key,
        attempts=0,
        last_error=note,
        created_at=now,
        updated_at=now,
        queued_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    return row.id, True


def accept(form, values, language, source, dedupe_key=None):
    """Store a submission for delivery and return (id, created).

    The same form and address within DUPLICATE_WINDOW_SECONDS collapse into one Subscribe call:
    into the waiting submission (the newest data wins), or, once it is sent, as a duplicate
    that is kept but not sent. With a `dedupe_key` (a plugin's own entry id), a repeat returns
    the first submission's id and stores nothing.
    """
    payload = esputnik.encode(esputnik.build_payload(form, values, language))
    key = contact_key(values)
    try:
        with db.session() as session, session.begin():
            _lock_contact(session, form.id, key)
            existing = _find_by_dedupe_key(session, dedupe_key) if dedupe_key else None
            if existing is not None:
                return existing, False
            return _store(session, form, payload, key, language, source, dedupe_key)
    except IntegrityError:
        # Two deliveries of one plugin entry raced past the lookup: the first one won.
        with db.session() as session:
            existing = _find_by_dedupe_key(session, dedupe_key) if dedupe_key else None
        if existing is None:
            raise
        return existing, False


def _find_by_dedupe_key(session, key):
    return session.scalar(select(Submission.id).where(Submission.dedupe_key == key))
