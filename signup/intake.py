"""Accepting a cleaned sign-up: stored and committed before anyone is answered, duplicates collapsed."""

import time
import uuid
from datetime import timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError

from . import consent as ledger
from . import db, esputnik, metrics, screening
from .db import Submission, UsedToken, utcnow

COUNTED_STATES = ("pending", "delivered", "dry_run")


def contact_key(values):
    """Return the address a submission is known by: its email, else its phone."""
    return (values.get("email") or values.get("phone") or "").lower()


def _lock_contact(session, key):
    # Serialises intakes for one address, so two clicks a millisecond apart see each other and
    # the daily cap counts across forms. SQLite already serialises every write (BEGIN IMMEDIATE).
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def _latest(session, form_id, key, since):
    query = (
        select(Submission)
        .where(
            Submission.contact_key == key,
            Submission.form_id == form_id,
            Submission.created_at >= since,
            Submission.state.in_(COUNTED_STATES),
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
    elif _over_daily_cap(session, key, now):
        cap = current_app.config["MAX_SIGNUPS_PER_ADDRESS_PER_DAY"]
        state, note = "limited", f"not sent: more than {cap} sign-ups for this address in 24 hours"
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


def _over_daily_cap(session, key, now):
    """Tell whether this address already reached its Subscribe calls for the last 24 hours."""
    cap = current_app.config["MAX_SIGNUPS_PER_ADDRESS_PER_DAY"]
    query = select(func.count()).select_from(Submission)
    query = query.where(Submission.contact_key == key, Submission.created_at >= now - timedelta(days=1))
    return cap > 0 and session.scalar(query.where(Submission.state.in_(COUNTED_STATES))) >= cap


def _spend_token(session, nonce):
    """Record a form token as used; return False when it already was (a replay)."""
    if session.get(UsedToken, nonce) is not None:
        return False
    session.add(UsedToken(nonce=nonce, used_at=utcnow()))
    return True


def accept(form, values, language, source, dedupe_key=None, token_nonce=None, consent=None):
    """Store a submission for delivery and return (id, created).

    The same form and address within DUPLICATE_WINDOW_SECONDS collapse into one Subscribe call:
    into the waiting submission (the newest data wins), or, once it is sent, as a duplicate
    that is kept but not sent. With a `dedupe_key` (a plugin's own entry id), a repeat returns
    the first submission's id and stores nothing. A form token (`token_nonce`) makes one
    sign-up only: a replay returns (None, False) and stores nothing. With `consent` (a
    consent.Shown), its ledger row is committed in the same transaction.
    """
    started = time.monotonic()
    payload = esputnik.encode(esputnik.build_payload(form, values, language))
    key = contact_key(values)
    try:
        with db.session() as session, session.begin():
            _lock_contact(session, key)
            if token_nonce and not _spend_token(session, token_nonce):
                metrics.screened(form.id, "token_reused")
                return None, False
            existing = _find_by_dedupe_key(session, dedupe_key) if dedupe_key else None
            if existing is not None:
                return _noted(existing), False
            submission_id, created = _store(session, form, payload, key, language, source, dedupe_key)
            if consent is not None:
                session.flush()
                ledger.record(session, submission_id, form.id, key, consent)
    except IntegrityError:
        return _after_race(form, dedupe_key, token_nonce)
    screening.accept_time.observe(time.monotonic() - started)
    return _noted(submission_id), created


def _noted(submission_id):
    # The request's log line names the submission, so a visitor's request can be followed to eSputnik.
    if has_request_context():
        g.submission_id = submission_id
    return submission_id


def _after_race(form, dedupe_key, token_nonce):
    """Answer when a concurrent intake won a unique key: a plugin entry, or a form token."""
    with db.session() as session:
        existing = _find_by_dedupe_key(session, dedupe_key) if dedupe_key else None
        replayed = token_nonce and session.get(UsedToken, token_nonce) is not None
    if existing is not None:
        return _noted(existing), False
    if replayed:
        metrics.screened(form.id, "token_reused")
        return None, False
    raise RuntimeError("a unique key conflict that is neither a plugin entry nor a form token")


def _find_by_dedupe_key(session, key):
    return session.scalar(select(Submission.id).where(Submission.dedupe_key == key))


def forget_used_tokens(max_age_seconds):
    """Delete used-token records older than any token could be; return how many."""
    cutoff = utcnow() - timedelta(seconds=max_age_seconds)
    with db.session() as session, session.begin():
        return session.execute(delete(UsedToken).where(UsedToken.used_at < cutoff)).rowcount
