"""Delivering stored sign-ups: claims with leases, one attempt each, and what each answer does."""

import collections
import dataclasses
import functools
import logging
import random
from collections import ChainMap
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update

from .. import db
from ..db import Attempt, Submission, utcnow
from ..forms.accounts import own_words
from ..states import Outcome, State
from . import attempts, esputnik
from .decision import Decision, decide
from .pauses import PAUSE_FLAG, pause, paused_reason, paused_reasons, resume  # noqa: F401  (the outbox's API)

log = logging.getLogger(__name__)

JITTER = (0.75, 1.25)  # retries of one moment spread over half their wait


@dataclass(frozen=True)
class Claimed:
    """A submission held by one worker for the length of its lease."""

    id: str
    form_id: str
    payload: str
    attempts: int
    queued_at: datetime
    account: str | None = None


SUBMISSIONS, ATTEMPTS = Submission.__table__, Attempt.__table__
CLAIMED_COLUMNS = (
    SUBMISSIONS.c.id,
    SUBMISSIONS.c.form_id,
    SUBMISSIONS.c.payload,
    SUBMISSIONS.c.attempts,
    SUBMISSIONS.c.queued_at,
    SUBMISSIONS.c.account,
)
INSERT_ATTEMPT = ATTEMPTS.insert()


def claim(owner, limit, now=None, skip=(), only=False):
    """Take up to `limit` due submissions for `owner` and return them, retries first.

    `skip` names accounts whose sign-ups are left alone (None: the default account); `only`, when
    given, the one account whose sign-ups are taken (a probe of a paused account).
    """
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    # Plain statements on one connection: on SQLite every worker thread waits for this one.
    with db.engine().begin() as connection:
        # Retries go first: a resend after a lost answer must reach eSputnik within its
        # duplicate minute even when a campaign has left a long backlog of first attempts.
        accounts = _accounts(skip, only)
        rows = _due_rows(connection, now, limit, SUBMISSIONS.c.attempts > 0, *accounts)
        if len(rows) < limit:
            rows += _due_rows(connection, now, limit - len(rows), SUBMISSIONS.c.attempts == 0, *accounts)
        if rows:
            held = update(SUBMISSIONS).where(SUBMISSIONS.c.id.in_([row.id for row in rows]))
            connection.execute(held.values(lease_owner=owner, lease_until=now + lease))
    return [Claimed(*row) for row in rows]


def _accounts(skip, only):
    """Return the conditions that keep a claim to the accounts it may take."""
    account = SUBMISSIONS.c.account
    if only is not False:
        return (account.is_(None) if only is None else account == only,)
    names = [name for name in skip if name is not None]
    conditions = [or_(account.is_(None), account.not_in(names))] if names else []
    if None in skip:
        conditions.append(account.is_not(None))
    return tuple(conditions)


def _due_rows(connection, now, limit, *conditions):
    query = select(*CLAIMED_COLUMNS).where(*_due(now), *conditions).order_by(SUBMISSIONS.c.next_attempt_at)
    query = query.limit(limit)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(connection.execute(query))


def _due(now):
    # A sign-up whose account left the forms file waits for it: sending it elsewhere would be worse.
    known = list(current_app.extensions.get("signup.accounts", {}))
    return (
        Submission.state == State.PENDING,
        Submission.next_attempt_at <= now,
        or_(Submission.lease_until.is_(None), Submission.lease_until < now),
        or_(Submission.account.is_(None), Submission.account.in_(known)) if known else Submission.account.is_(None),
    )


def due_count(now=None):
    """Return how many submissions are due and not held by any worker."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Submission).where(*_due(now or utcnow())))


@dataclass(frozen=True)
class Finished:
    """One finished call, waiting to be stored."""

    item: Claimed
    answer: esputnik.Answer
    started_at: datetime
    duration_ms: int
    decision: Decision


_HELD = select(SUBMISSIONS.c.id).where(
    SUBMISSIONS.c.id.in_(bindparam("ids", expanding=True)), SUBMISSIONS.c.lease_owner == bindparam("owner")
)
# On PostgreSQL the rows are locked, so the leases found here are still ours when they are updated.
HELD = {"postgresql": _HELD.with_for_update(), "sqlite": _HELD}


def _still_held(connection, ids, owner):
    """Return which of `ids` `owner` still leases, locked until the transaction ends."""
    return set(connection.scalars(HELD[connection.dialect.name], {"ids": ids, "owner": owner}))


@functools.cache
def _finishing(columns):
    """Return the UPDATE that stores an outcome setting `columns` and ends its lease, built once per set of columns.

    Building a statement (and its cache key) for every outcome cost the worker more than running it.
    """
    mine = (SUBMISSIONS.c.id == bindparam("row_id"), SUBMISSIONS.c.lease_owner == bindparam("owner"))
    values = {column: bindparam(f"new_{column}") for column in columns}
    return update(SUBMISSIONS).where(*mine).values(**values, lease_owner=None, lease_until=None)


def record_many(outcomes, owner):
    """Store several outcomes in one transaction; return the ids whose lease had been lost."""
    with db.engine().begin() as connection:
        held = _still_held(connection, [outcome.item.id for outcome in outcomes], owner)
        lost = [outcome.item.id for outcome in outcomes if outcome.item.id not in held]
        groups = collections.defaultdict(list)
        for outcome in outcomes:
            if outcome.item.id in held:
                row = outcome.decision.row
                params = {f"new_{key}": value for key, value in row.items()}
                groups[tuple(sorted(row))].append({"row_id": outcome.item.id, "owner": owner, **params})
        for columns, params in groups.items():
            connection.execute(_finishing(columns), params)
        rows = [attempts.row(o) for o in outcomes if o.decision.attempt]
        if rows:
            connection.execute(INSERT_ATTEMPT, rows)
    for submission_id in lost:
        log.warning("lease lost before the outcome was stored", extra={"submission": submission_id})
    for outcome in outcomes:
        attempts.log_line(outcome.item, outcome.answer, outcome.duration_ms, outcome.decision.level)
    return lost


def call(item, clock):
    """Make the call for a claimed submission (or, in dry run, pretend to) and return it finished, decided."""
    config = current_app.config
    started_at, started = clock.now(), clock.monotonic()
    if config["DRY_RUN"]:
        answer = esputnik.Answer(Outcome.DRY_RUN, None, "dry run: nothing was sent")
    else:
        answer = _for_account(esputnik.subscribe(account_config(config, item.account), item.payload), item.account)
    duration_ms = int((clock.monotonic() - started) * 1000)
    decided = decide(item, answer, config, clock.now(), jitter=random.uniform(*JITTER))
    return Finished(item, answer, started_at, duration_ms, decided)


def account_config(config, name):
    """Return `config` with the URL and key of account `name` (None: the default account) on top.

    The key is read from its variable at each call, so it is held nowhere but the environment.
    """
    if name is None:
        return config
    account = current_app.extensions["signup.accounts"][name]
    environ = current_app.extensions["signup.environ"]
    return ChainMap(
        {
            "ESPUTNIK_API_URL": account.api_url or config["ESPUTNIK_API_URL"],
            "ESPUTNIK_API_KEY": environ.get(account.key_env, "").strip(),
        },
        config,
    )


def _for_account(answer, name):
    """Return `answer`, its pause naming what to fix for account `name` rather than the default settings."""
    if name is None or answer.outcome != Outcome.PAUSED:
        return answer
    account = current_app.extensions["signup.accounts"][name]
    return dataclasses.replace(answer, detail=own_words(answer.detail, account))


def retry_failed_now(now=None):
    """Make every pending retry due now (eSputnik is back after an outage); return how many."""
    now = now or utcnow()
    with db.session() as session, session.begin():
        result = session.execute(
            update(Submission)
            .where(Submission.state == State.PENDING, Submission.attempts > 0, Submission.next_attempt_at > now)
            .values(next_attempt_at=now)
        )
    return result.rowcount


def release(owner, ids=None):
    """Give back the leases `owner` holds (all, or those of `ids`), so another worker can take them at once.

    Only for claims whose call has not started: a lease given back while its call is in flight
    would let a second worker send the same sign-up.
    """
    condition = [Submission.lease_owner == owner, Submission.state == State.PENDING]
    if ids is not None:
        condition.append(Submission.id.in_(ids))
    with db.session() as session, session.begin():
        session.execute(update(Submission).where(*condition).values(lease_owner=None, lease_until=None))
