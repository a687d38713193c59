"""What the admin view reads: counts per form, the backlog, submissions found by address, form, state or account."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, or_, select

from .. import db
from ..db import Attempt, Submission, utcnow
from ..delivery import esputnik
from ..forms.accounts import DEFAULT
from ..privacy import addresses, masking
from ..states import DISCARDABLE, RETRYABLE, State

PAGE_SIZE = 50


def counts_by_form(now=None):
    """Return {form id: {"24h": {state: n}, "7d": {state: n}}} for submissions of the last 7 days."""
    now = now or utcnow()
    recent = func.sum(case((Submission.created_at >= now - timedelta(hours=24), 1), else_=0))
    query = (
        select(Submission.form_id, Submission.state, func.count(), recent)
        .where(Submission.created_at >= now - timedelta(days=7))
        .group_by(Submission.form_id, Submission.state)
    )
    counts = {}
    with db.session() as session:
        for form_id, state, week, day in session.execute(query):
            entry = counts.setdefault(form_id, {"24h": {}, "7d": {}})
            entry["7d"][state] = week
            if day:
                entry["24h"][state] = day
    return counts


def daily_by_form(days, now=None):
    """Return {form id: {(day, state): count}} for the last `days` days, today included (UTC)."""
    now = now or utcnow()
    since = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time())
    day = func.date(Submission.created_at)
    query = (
        select(Submission.form_id, day, Submission.state, func.count())
        .where(Submission.created_at >= since)
        .group_by(Submission.form_id, day, Submission.state)
    )
    found = {}
    with db.session() as session:
        for form_id, when, state, count in session.execute(query):
            # SQLite gives the day as text, PostgreSQL as a date.
            when = when if isinstance(when, date) else date.fromisoformat(str(when)[:10])
            found.setdefault(form_id, {})[(when, state)] = count
    return found


def backlog(now=None):
    """Return (how many wait for delivery, seconds the oldest has waited)."""
    now = now or utcnow()
    with db.session() as session:
        size, oldest = session.execute(
            select(func.count(), func.min(Submission.queued_at)).where(Submission.state == State.PENDING)
        ).one()
    return size, (now - oldest).total_seconds() if oldest else 0.0


def _address_condition(text):
    """Match part of the address a submission is known by, or a whole address anywhere in its payload."""
    text = text.strip().lower()
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    condition = Submission.contact_key.like(f"%{escaped}%", escape="\\")
    if addresses.normalise(text):
        condition = or_(condition, addresses.matching(text)[1])
    return condition


def search(form_id=None, address="", state=None, page=1, limit=PAGE_SIZE, account=None):
    """Return one page of submissions, newest first, and whether an older page exists.

    `account` is an account's name (`default`: the one of ESPUTNIK_API_KEY), None for every account.
    """
    query = select(Submission).order_by(Submission.created_at.desc(), Submission.id)
    if form_id:
        query = query.where(Submission.form_id == form_id)
    if account:
        query = query.where(Submission.account.is_(None) if account == DEFAULT else Submission.account == account)
    if address.strip():
        query = query.where(_address_condition(address))
    if state:
        query = query.where(Submission.state == state)
    query = query.offset((page - 1) * limit).limit(limit + 1)
    with db.session() as session:
        rows = session.scalars(query).all()
    return rows[:limit], len(rows) > limit


def attempts_of(ids):
    """Return {submission id: [Attempt, ...]} in the order they were made."""
    found = {}
    if not ids:
        return found
    with db.session() as session:
        for item in session.scalars(select(Attempt).where(Attempt.submission_id.in_(ids)).order_by(Attempt.id)):
            found.setdefault(item.submission_id, []).append(item)
    return found


def event_fired(row, form):
    """Return the event eSputnik fired for a delivered submission, when its answer says new or known."""
    if row.state != State.DELIVERED or not row.result or form is None:
        return None
    new = esputnik.contact_was_new(row.result)
    if new is None:
        return None
    return form.event_names[0] if new else form.event_names[1]


@dataclass(frozen=True)
class ShownSubmission:
    """One submission as the admin view shows it."""

    row: Submission
    contact: str
    name: str
    payload: str
    reason: str | None
    attempts: list
    event: str | None
    can_retry: bool
    can_discard: bool


def present(rows, forms, reveal=False):
    """Return rows ready to show: personal data masked unless `reveal`, with attempts and the event fired."""
    attempts = attempts_of([row.id for row in rows])
    shown = []
    for row in rows:
        try:
            body = json.loads(row.payload)
        except ValueError:
            body = {"unreadable": True}
        body = body if reveal else masking.payload(body)
        contact = body.get("contact") if isinstance(body, dict) else None
        names = [contact.get(key) for key in ("firstName", "lastName")] if isinstance(contact, dict) else []
        shown.append(
            ShownSubmission(
                row=row,
                contact=row.contact_key if reveal else masking.address(row.contact_key),
                name=" ".join(part for part in names if isinstance(part, str) and part),
                payload=json.dumps(body, ensure_ascii=False, indent=2),
                reason=row.last_error if reveal else masking.text(row.last_error),
                attempts=[a if reveal else _masked(a) for a in attempts.get(row.id, [])],
                event=event_fired(row, forms.get(row.form_id)),
                can_retry=row.state in RETRYABLE and row.purged_at is None,
                can_discard=row.state in DISCARDABLE,
            )
        )
    return shown


def _masked(attempt):
    return {
        "started_at": attempt.started_at,
        "duration_ms": attempt.duration_ms,
        "status": attempt.status,
        "outcome": attempt.outcome,
        "detail": masking.text(attempt.detail),
    }
