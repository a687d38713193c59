"""Admin sessions kept in the database, so signing out ends a session on every instance at once."""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import Index, String, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from .. import db
from ..db import Base, utcnow


class AdminSession(Base):
    """One signed-in browser: the cookie carries its id, the row says it is still open."""

    __tablename__ = "admin_sessions"

    # A hash of the id, so whoever reads the table cannot present a session from it.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    __table_args__ = (Index("ix_admin_sessions_expires", "expires_at"),)


def _hash(session_id):
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


def open_session(username, fingerprint, lifetime):
    """Store a new session for `username` lasting `lifetime` seconds, drop ended ones, and return its id."""
    session_id, now = secrets.token_urlsafe(32), utcnow()
    with db.session() as session, session.begin():
        session.execute(
            delete(AdminSession).where(or_(AdminSession.expires_at <= now, AdminSession.fingerprint != fingerprint))
        )
        session.add(
            AdminSession(
                id_hash=_hash(session_id),
                username=username,
                fingerprint=fingerprint,
                created_at=now,
                expires_at=now + timedelta(seconds=lifetime),
            )
        )
    return session_id


def user_of(session_id, fingerprint):
    """Return the user name of an open, unexpired session opened with `fingerprint`, else None."""
    if not isinstance(session_id, str) or not session_id:
        return None
    query = select(AdminSession.username).where(
        AdminSession.id_hash == _hash(session_id),
        AdminSession.fingerprint == fingerprint,
        AdminSession.expires_at > utcnow(),
    )
    with db.session() as session:
        return session.scalar(query)


def close_session(session_id):
    """End a session: its cookie opens nothing from now on, on any instance."""
    if not isinstance(session_id, str) or not session_id:
        return
    with db.session() as session, session.begin():
        session.execute(delete(AdminSession).where(AdminSession.id_hash == _hash(session_id)))


class Cookie(SecureCookieSessionInterface):
    """Flask's signed session cookie, opened without signing work for the requests that send none (every visitor's)."""

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
