"""The consent ledger: what a visitor agreed to, word for word, with where and when; exported as CSV."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import request
from sqlalchemy import bindparam, select

from .. import db
from ..db import Consent, utcnow
from ..i18n import current_language
from ..validation import origin_of
from ..writer import Prepared
from . import spreadsheet

PAGE_URL_FIELD = "page_url"
MAX_URL = 2000
MAX_USER_AGENT = 512
CSV_COLUMNS = (
    "time_utc",
    "form",
    "address",
    "language",
    "text",
    "text_sha256",
    "client_address",
    "page_url",
    "user_agent",
    "submission_id",
)


@dataclass(frozen=True)
class Agreement:
    """The consent text a visitor saw and ticked, and the circumstances."""

    text: str
    language: str
    client_address: str | None
    page_url: str | None
    user_agent: str | None

    @property
    def sha256(self):
        return digest(self.text)


def digest(text):
    """Return the SHA-256 of a consent text, as hex, so anyone can check a record against a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_url(value):
    """Return `value` when it is a plausible http(s) page address, else None."""
    if not isinstance(value, str) or len(value) > MAX_URL or origin_of(value.strip()) is None:
        return None
    return value.strip()


def without_query(url):
    """Return an http(s) address as its origin and path: no query, fragment or user name, which may be personal."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def page_url(data):
    """Return the host page's address: a page_url or page input, else the Referer from another site (no query)."""
    for key in (PAGE_URL_FIELD, "page"):
        given = clean_url(data.get(key))
        if given:
            return given
    referrer = clean_url(request.referrer)
    # A Referer from our own pages (the form posting itself, a language switch) says nothing of the host page.
    if referrer and urlsplit(referrer).netloc != request.host:
        return without_query(referrer)
    return None


def shown(form, data):
    """Return what the visitor of this request agreed to, or None when the form asks no consent."""
    language = current_language()
    if form.consent is None:
        return None
    text = form.consent.get(language, form.language)
    agent = request.user_agent.string or None
    return Agreement(text, language, request.remote_addr, page_url(data), agent[:MAX_USER_AGENT] if agent else None)


RECORDED = (
    "submission_id", "form_id", "contact_key", "language", "text", "text_sha256", "client_address", "page_url",
    "user_agent", "created_at",
)  # fmt: skip
INSERT_CONSENT = Prepared(Consent.__table__.insert().values({name: bindparam(name) for name in RECORDED}))
# The same insert with its parameters named apart, to ride with another statement's (see intake.WITH_CONSENT).
CONSENT_BESIDE = Consent.__table__.insert().values({name: bindparam(f"consent_{name}") for name in RECORDED})


def row(submission_id, form_id, contact_key, given, now):
    """Return the ledger row of one consent, as INSERT_CONSENT takes it."""
    return dict(
        submission_id=submission_id,
        form_id=form_id,
        contact_key=contact_key,
        language=given.language,
        text=given.text,
        text_sha256=given.sha256,
        client_address=given.client_address,
        page_url=given.page_url,
        user_agent=given.user_agent,
        created_at=now,
    )


def record(connection, submission_id, form_id, contact_key, given):
    """Write the ledger row of one consent on `connection`, inside the caller's transaction."""
    INSERT_CONSENT.run(connection, row(submission_id, form_id, contact_key, given, utcnow()))


def find(form_id=None, since=None, until=None):
    """Return consent records, oldest first, of one form (or all) from `since` to the end of `until` (dates)."""
    query = select(Consent).order_by(Consent.created_at, Consent.id)
    if form_id:
        query = query.where(Consent.form_id == form_id)
    if since:
        query = query.where(Consent.created_at >= datetime.combine(since, datetime.min.time()))
    if until:
        query = query.where(Consent.created_at < datetime.combine(until + timedelta(days=1), datetime.min.time()))
    with db.session() as session:
        return session.scalars(query).all()


def to_csv(records):
    """Return the records as CSV text with a header line, safe to open in any spreadsheet."""
    rows = (
        (
            item.created_at.isoformat(timespec="seconds") + "Z",
            item.form_id,
            item.contact_key,
            item.language,
            item.text,
            item.text_sha256,
            item.client_address,
            item.page_url,
            item.user_agent,
            item.submission_id,
        )
        for item in records
    )
    return spreadsheet.to_csv(CSV_COLUMNS, rows)
