"""Refused intake calls counted per form, reason and hour, so a broken plugin set-up shows in the admin view.

A plugin that is refused often tells nobody (JetFormBuilder shows its visitor a success), so each
refusal is counted here. Counts, not a log: a flood of refusals adds to a few numbers instead of
rows, since the forms and our own reasons are a fixed set. Each process adds up its refusals in
memory and writes them at most every FLUSH_SECONDS, so an unauthenticated flood costs no write
per request; the retention job drops hours older than KEEP_DAYS.
"""

import logging
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Index, String, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .. import db
from ..db import Base, utcnow
from ..privacy import masking

log = logging.getLogger(__name__)
FLUSH_SECONDS = 10.0
KEEP_DAYS = 8  # the admin view shows 7 days; one more so the oldest hour shown is whole
MAX_REASON = 300
KEY_COLUMNS = ("form_id", "source", "status", "reason", "hour")


class Refusal(Base):
    """How many intake calls to one form were refused for one reason within one hour."""

    __tablename__ = "intake_refusals"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(MAX_REASON), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_intake_refusals_hour", "hour"),)


class Tally:
    """One process's refusals not yet written, and when they were last written."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.written_at = time.monotonic()

    def take(self):
        """Return the counts gathered so far and start afresh."""
        with self.lock:
            counts, self.counts = self.counts, Counter()
            self.written_at = time.monotonic()
        return counts


def _tally():
    return current_app.extensions.setdefault("signup.refusals", Tally())


def record(form_id, source, status, reason, now=None):
    """Count one refused call; write the counts when the last write is FLUSH_SECONDS old."""
    hour = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    shown = (masking.text(reason) or "")[:MAX_REASON]
    tally = _tally()
    with tally.lock:
        tally.counts[(form_id, source, status, shown, hour)] += 1
        due = time.monotonic() - tally.written_at >= FLUSH_SECONDS
    if due:
        flush()


def flush():
    """Write this process's gathered counts, adding to those already stored."""
    counts = _tally().take()
    if not counts:
        return
    rows = [dict(zip(KEY_COLUMNS, key, strict=True), count=n) for key, n in counts.items()]
    insert = postgresql.insert if db.is_postgres() else sqlite.insert
    statement = insert(Refusal).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS), set_={"count": Refusal.count + statement.excluded.count}
    )
    try:
        with db.session() as session, session.begin():
            session.execute(statement)
    except Exception:
        # Diagnostics only: never let them fail the answer to the call being refused.
        log.warning("refused calls could not be counted", exc_info=True)


def recent(now=None):
    """Return {form id: [(source, status, reason, last 24 h, last 7 days), ...]}, most frequent first."""
    now = now or utcnow()
    day = func.sum(case((Refusal.hour >= now - timedelta(hours=24), Refusal.count), else_=0))
    query = (
        select(Refusal.form_id, Refusal.source, Refusal.status, Refusal.reason, day, func.sum(Refusal.count))
        .where(Refusal.hour >= now - timedelta(days=7))
        .group_by(Refusal.form_id, Refusal.source, Refusal.status, Refusal.reason)
    )
    found = {}
    with db.session() as session:
        for form_id, source, status, reason, last_day, week in session.execute(query):
            found.setdefault(form_id, []).append((source, status, reason, int(last_day or 0), int(week)))
    for rows in found.values():
        rows.sort(key=lambda row: (-row[4], row[1], row[2]))
    return found


def prune(now=None):
    """Delete the counts of hours older than KEEP_DAYS; return how many rows went."""
    cutoff = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    with db.session() as session, session.begin():
        return session.execute(delete(Refusal).where(Refusal.hour < cutoff)).rowcount
