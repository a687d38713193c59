"""Keeping personal data no longer than needed: the periodic purge, erasing one address, exporting it."""

import json
import logging
import threading
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from .. import db
from ..db import Attempt, Consent, Submission, UsedToken, utcnow
from ..ops import refusals
from ..states import FINAL
from . import addresses, masking

log = logging.getLogger(__name__)

BATCH = 500


def _without_personal_data(payload):
    """Return a stored payload reduced to what says nothing about the person."""
    try:
        body = json.loads(payload)
        contact = body.get("contact") or {}
        kept = {"channels": [{"type": c.get("type")} for c in contact.get("channels") or []]}
    except (ValueError, AttributeError, TypeError):
        return json.dumps({"purged": True})
    if contact.get("languageCode"):
        kept["languageCode"] = contact["languageCode"]
    reduced = {"contact": kept, "purged": True}
    reduced.update({key: body[key] for key in ("groups", "formType") if key in body})
    return json.dumps(reduced, ensure_ascii=False, separators=(",", ":"))


def _purge_batch(cutoff, now):
    with db.session() as session, session.begin():
        rows = session.scalars(
            select(Submission)
            .where(
                Submission.state.in_(FINAL),
                Submission.purged_at.is_(None),
                Submission.updated_at < cutoff,
            )
            .limit(BATCH)
        ).all()
        for row in rows:
            row.payload = _without_personal_data(row.payload)
            row.contact_key, row.result, row.purged_at = "", None, now
            row.last_error = masking.text(row.last_error)
        ids = [row.id for row in rows]
        for attempt in session.scalars(
            select(Attempt).where(Attempt.submission_id.in_(ids), Attempt.detail.is_not(None))
        ):
            attempt.detail = masking.text(attempt.detail)
    return len(ids)


def purge(now=None):
    """Remove personal data from finished submissions past RETENTION_DAYS, and old consent records.

    Returns (submissions purged, consent records deleted). The rows themselves stay, so counts and
    delivery history remain; consent records are kept CONSENT_RETENTION_DAYS (0: until erased).
    """
    config, now = current_app.config, now or utcnow()
    cutoff = now - timedelta(days=config["RETENTION_DAYS"])
    purged = 0
    while count := _purge_batch(cutoff, now):
        purged += count
    consents = 0
    if config["CONSENT_RETENTION_DAYS"]:
        with db.session() as session, session.begin():
            oldest = now - timedelta(days=config["CONSENT_RETENTION_DAYS"])
            consents = session.execute(delete(Consent).where(Consent.created_at < oldest)).rowcount
    if purged or consents:
        log.info("retention purge", extra={"event": "purge", "submissions": purged, "consents": consents})
    return purged, consents


def forget_used_tokens(max_age_seconds):
    """Delete used-token records older than any token could be; return how many."""
    cutoff = utcnow() - timedelta(seconds=max_age_seconds)
    with db.engine().begin() as connection:
        return connection.execute(delete(UsedToken).where(UsedToken.used_at < cutoff)).rowcount


def erase(address):
    """Delete every submission, attempt and consent record holding `address`; return the counts."""
    key, condition = addresses.matching(address)
    with db.session() as session, session.begin():
        ids = session.scalars(select(Submission.id).where(condition)).all()
        consents = session.execute(
            delete(Consent).where(or_(Consent.contact_key == key, Consent.submission_id.in_(ids)))
        ).rowcount
        attempts = session.execute(delete(Attempt).where(Attempt.submission_id.in_(ids))).rowcount
        submissions = session.execute(delete(Submission).where(Submission.id.in_(ids))).rowcount
    log.warning("address erased", extra={"event": "erase", "submissions": submissions, "consents": consents})
    return {"submissions": submissions, "attempts": attempts, "consents": consents}


def _when(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


def export(address):
    """Return everything stored about `address` as a JSON-ready dict."""
    key, condition = addresses.matching(address)
    with db.session() as session:
        rows = session.scalars(select(Submission).where(condition).order_by(Submission.created_at)).all()
        ids = [row.id for row in rows]
        attempts = session.scalars(select(Attempt).where(Attempt.submission_id.in_(ids)).order_by(Attempt.id)).all()
        consents = session.scalars(
            select(Consent).where(or_(Consent.contact_key == key, Consent.submission_id.in_(ids))).order_by(Consent.id)
        ).all()
    by_submission = {}
    for item in attempts:
        by_submission.setdefault(item.submission_id, []).append(
            {"at": _when(item.started_at), "status": item.status, "outcome": item.outcome, "detail": item.detail}
        )
    return {
        "address": key,
        "submissions": [
            {
                "id": row.id,
                "form": row.form_id,
                "source": row.source,
                "state": row.state,
                "received": _when(row.created_at),
                "delivered": _when(row.delivered_at),
                "sent_to_esputnik": json.loads(row.payload),
                "attempts": by_submission.get(row.id, []),
            }
            for row in rows
        ],
        "consents": [
            {
                "form": item.form_id,
                "at": _when(item.created_at),
                "language": item.language,
                "text": item.text,
                "text_sha256": item.text_sha256,
                "client_address": item.client_address,
                "page_url": item.page_url,
                "user_agent": item.user_agent,
            }
            for item in consents
        ],
    }


class Schedule:
    """Runs the purge every RETENTION_INTERVAL_SECONDS on its own thread, so delivery never waits for it."""

    def __init__(self, app):
        self.app = app
        self.interval = app.config["RETENTION_INTERVAL_SECONDS"]
        self.next_run = time.monotonic()
        self.thread = None

    def run_if_due(self):
        """Start a purge when one is due and none is running."""
        now = time.monotonic()
        if now < self.next_run or (self.thread is not None and self.thread.is_alive()):
            return
        self.next_run = now + self.interval
        self.thread = threading.Thread(target=self._purge, name="retention", daemon=True)
        self.thread.start()

    def _purge(self):
        try:
            with self.app.app_context():
                purge()
                forget_used_tokens(self.app.config["FORM_TOKEN_MAX_AGE"])
                refusals.prune()
        except Exception:
            log.exception("retention purge failed; it runs again at the next interval")
