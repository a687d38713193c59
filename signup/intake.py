"""Accepting a cleaned sign-up: stored and committed before anyone is answered, duplicates collapsed."""

import random
import threading
import time
import uuid
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, func, literal_column, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from . import db
from .db import Submission, UsedToken, utcnow
from .delivery import esputnik
from .privacy import consent as ledger
from .states import COUNTED, State
from .writer import Prepared

# A replayed form token is caught here, atomically with storing: the bot check of that name.
REUSED = "token_reused"
# Sign-ups through the form page or its JSON API come from a variant a visitor saw; webhooks do not.
VARIANT_SOURCES = ("form", "api")
SUBMISSIONS = Submission.__table__
# The states written into the statement, not bound: an expanding IN would be rendered again at each run.
IS_COUNTED = SUBMISSIONS.c.state.in_([literal_column(f"'{state.value}'") for state in COUNTED])
# Built once: every sign-up runs these, and building a statement costs more than running it.
_LATEST = (
    select(
        SUBMISSIONS.c.id, SUBMISSIONS.c.state, SUBMISSIONS.c.attempts, SUBMISSIONS.c.lease_until, SUBMISSIONS.c.payload
    )
    .where(
        SUBMISSIONS.c.contact_key == bindparam("key"),
        SUBMISSIONS.c.form_id == bindparam("form_id"),
        SUBMISSIONS.c.created_at >= bindparam("since"),
        IS_COUNTED,
    )
    .order_by(SUBMISSIONS.c.created_at.desc())
    .limit(1)
    .subquery("latest")
)
_RECENT_BY_ADDRESS = (
    select(func.count())
    .select_from(SUBMISSIONS)
    .where(
        SUBMISSIONS.c.contact_key == bindparam("key"),
        SUBMISSIONS.c.created_at >= bindparam("day"),
        IS_COUNTED,
    )
    .scalar_subquery()
)
# What the duplicate rule and the daily cap need, in one statement (one round trip): the address's
# latest counted submission on this form within the window, if any, and its count over the last day.
SEEN = Prepared(
    select(_RECENT_BY_ADDRESS.label("recent"), *_LATEST.c).select_from(
        select(literal_column("1").label("one")).subquery("one").outerjoin(_LATEST, true())
    )
)
# The columns a new submission is given; the others start empty.
NEW_ROW = (
    "id", "form_id", "source", "state", "payload", "contact_key", "language", "dedupe_key", "attempts", "last_error",
    "created_at", "updated_at", "queued_at", "next_attempt_at", "variant", "account",
)  # fmt: skip
_NEW_SUBMISSION = SUBMISSIONS.insert().values({name: bindparam(name) for name in NEW_ROW})
INSERT_SUBMISSION = Prepared(_NEW_SUBMISSION)
# On PostgreSQL a new submission and its consent go in one statement, one round trip.
WITH_CONSENT = Prepared(ledger.CONSENT_BESIDE.add_cte(_NEW_SUBMISSION.cte("new_submission")))
MERGE = Prepared(
    SUBMISSIONS.update()
    .where(SUBMISSIONS.c.id == bindparam("merge_id"))
    .values(payload=bindparam("new_payload"), updated_at=bindparam("now"), source=bindparam("new_source"))
)
BY_DEDUPE_KEY = select(SUBMISSIONS.c.id).where(SUBMISSIONS.c.dedupe_key == bindparam("key"))
# RETURNING tells whether the row went in: rowcount is not reported for this statement everywhere.
SPEND_TOKEN = {
    name: Prepared(dialect.insert(UsedToken.__table__).on_conflict_do_nothing().returning(UsedToken.__table__.c.nonce))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


class _AcceptTime:
    """A running average of how long storing a sign-up takes, to answer traps as slowly."""

    def __init__(self):
        self.seconds, self.lock = 0.005, threading.Lock()

    def observe(self, seconds):
        with self.lock:
            self.seconds = 0.9 * self.seconds + 0.1 * min(seconds, 1.0)

    def imitate(self):
        time.sleep(self.seconds * random.uniform(0.8, 1.2))


accept_time = _AcceptTime()


def contact_key(values):
    """Return the address a submission is known by: its email, else its phone."""
    return (values.get("email") or values.get("phone") or "").lower()


# On PostgreSQL the address's lock and the token go in one round trip: the lock is taken as the
# row to insert is made, before the token's insert is tried.
LOCK_CONTACT = Prepared(text("SELECT pg_advisory_xact_lock(hashtext(:k))"))
LOCK_AND_SPEND = Prepared(
    text(
        "INSERT INTO used_tokens (nonce, used_at) SELECT :nonce, :used_at"
        " FROM (SELECT pg_advisory_xact_lock(hashtext(:k))) AS locked ON CONFLICT DO NOTHING RETURNING nonce"
    )
)


def _lock_and_spend(connection, key, nonce, now):
    """Serialise intakes for `key` and record a form token as used; return False when it already was (a replay).

    The lock makes two clicks a millisecond apart see each other and the daily cap count across
    forms; SQLite already serialises every write (BEGIN IMMEDIATE), so there it is the token alone.
    """
    postgres = connection.dialect.name == "postgresql"
    if postgres and nonce:
        return bool(LOCK_AND_SPEND.run(connection, {"k": key, "nonce": nonce, "used_at": now}))
    if postgres:
        LOCK_CONTACT.run(connection, {"k": key})
    if not nonce:
        return True
    return bool(SPEND_TOKEN[connection.dialect.name].run(connection, {"nonce": nonce, "used_at": now}))


def _seen(connection, form_id, key, now, rules):
    """Return the address's latest counted submission of this form in the window (or None) and its day's count."""
    params = {"key": key, "form_id": form_id, "since": now - rules.window, "day": now - timedelta(days=1)}
    (row,) = SEEN.run(connection, params)
    return (row if rules.window and row.id is not None else None), row.recent


def _mergeable(row, now):
    """Tell whether a pending row has never been sent and is not being sent now."""
    idle = row.lease_until is None or row.lease_until < now
    return row.state == State.PENDING and row.attempts == 0 and idle


class Rules(NamedTuple):
    """The settings a sign-up is stored by, read in the request (the writer thread has no app)."""

    window: timedelta
    cap: int

    @classmethod
    def of(cls, config):
        return cls(timedelta(seconds=config["DUPLICATE_WINDOW_SECONDS"]), config["MAX_SIGNUPS_PER_ADDRESS_PER_DAY"])


def _store(connection, form, payload, key, language, source, dedupe_key, now, rules, consent):
    """Return (id, created): merge into, mark as duplicate of, or add beside a recent submission; record `consent`."""
    recent, recent_count = _seen(connection, form.id, key, now, rules)
    if recent is not None and _mergeable(recent, now):
        MERGE.run(connection, {"merge_id": recent.id, "new_payload": payload, "now": now, "new_source": source})
        if consent is not None:
            ledger.record(connection, recent.id, form.id, key, consent)
        return recent.id, False
    state, note = State.PENDING, None
    if recent is not None and recent.payload == payload:
        state, note = State.DUPLICATE, f"same as {recent.id}, sent once"
    elif 0 < rules.cap <= recent_count:
        state, note = State.LIMITED, f"not sent: more than {rules.cap} sign-ups for this address in 24 hours"
    submission_id = uuid.uuid4().hex
    row = {
        "id": submission_id,
        "form_id": form.id,
        "source": source,
        "state": state,
        "payload": payload,
        "contact_key": key,
        "language": language,
        "dedupe_key": dedupe_key,
        "attempts": 0,
        "last_error": note,
        "created_at": now,
        "updated_at": now,
        "queued_at": now,
        "next_attempt_at": now,
        "variant": form.variant if source in VARIANT_SOURCES else None,
        "account": form.account,
    }
    _insert(connection, row, None if consent is None else ledger.row(submission_id, form.id, key, consent, now))
    return submission_id, True


def _insert(connection, row, consent_row):
    """Insert a new submission and the ledger row of its consent, if any: in one statement on PostgreSQL."""
    if consent_row is not None and connection.dialect.name == "postgresql":
        WITH_CONSENT.run(connection, {**row, **{f"consent_{key}": value for key, value in consent_row.items()}})
        return
    INSERT_SUBMISSION.run(connection, row)
    if consent_row is not None:
        ledger.INSERT_CONSENT.run(connection, consent_row)


def accept(form, values, language, source, dedupe_key=None, token_nonce=None, consent=None):
    """Store a submission for delivery and return (id, created), once it is committed.

    The same form and address within DUPLICATE_WINDOW_SECONDS collapse into one Subscribe call:
    into the waiting submission (the newest data wins), or, once it is sent, as a duplicate
    that is kept but not sent. With a `dedupe_key` (a plugin's own entry id), a repeat returns
    the first submission's id and stores nothing. A form token (`token_nonce`) makes one
    sign-up only: a replay returns (None, False) and stores nothing. With `consent` (a
    consent.Agreement), its ledger row is committed in the same transaction.
    """
    started, now = time.monotonic(), utcnow()
    payload = esputnik.encode(esputnik.build_payload(form, values, language))
    key, rules = contact_key(values), Rules.of(current_app.config)

    def store(connection):
        if not _lock_and_spend(connection, key, token_nonce, now):
            return None, False
        existing = _find_by_dedupe_key(connection, dedupe_key) if dedupe_key else None
        if existing is not None:
            return existing, False
        return _store(connection, form, payload, key, language, source, dedupe_key, now, rules, consent)

    try:
        # One transaction, shared with the sign-ups arriving meanwhile (group commit), committed before we return.
        submission_id, created = db.writer().run(store)
    except IntegrityError:
        return _after_race(form, dedupe_key)
    accept_time.observe(time.monotonic() - started)
    return submission_id, created


def _after_race(form, dedupe_key):
    """Answer when a concurrent intake of the same plugin entry won its unique key."""
    with db.engine().connect() as connection:
        existing = _find_by_dedupe_key(connection, dedupe_key) if dedupe_key else None
    if existing is None:
        raise RuntimeError(f"a unique key conflict on form {form.id} that is not a plugin entry")
    return existing, False


def _find_by_dedupe_key(connection, key):
    return connection.scalar(BY_DEDUPE_KEY, {"key": key})
