"""Storage: the engine, the tables, and migrations run through Alembic."""

from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from ..writer import Writer
from .engines import make_engine

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def utcnow():
    """Return the current UTC time, naive, as every column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Submission(Base):
    """One accepted sign-up and where its delivery to eSputnik stands."""

    __tablename__ = "submissions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    contact_key: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    purged_at: Mapped[datetime | None]
    # The variant of the form shown (a, b, ...); None for sign-ups that came by webhook.
    variant: Mapped[str | None] = mapped_column(String(32))
    # What eSputnik's answer said: a new contact (subscribeFromApi-*) or a known one, and its email status.
    contact_new: Mapped[bool | None]
    email_status: Mapped[str | None] = mapped_column(String(32))
    # The [accounts.<name>] this sign-up goes to, fixed at intake; None: the account of ESPUTNIK_API_KEY.
    account: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_submissions_due", "state", "next_attempt_at"),
        Index("ix_submissions_retries", "state", "attempts", "next_attempt_at"),
        Index("ix_submissions_account_due", "account", "state", "next_attempt_at"),
        Index("ix_submissions_form_created", "form_id", "created_at"),
        Index("ix_submissions_contact", "contact_key", "form_id", "created_at"),
        Index("ix_submissions_delivered", "delivered_at"),
    )


class Attempt(Base):
    """One call to eSputnik made for a submission, with what came back."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    status: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_attempts_started", "started_at"),)


class Consent(Base):
    """Proof of one consent: the exact text a visitor ticked, where and when."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[str | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"), index=True)
    form_id: Mapped[str] = mapped_column(String(64))
    contact_key: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))
    page_url: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_consents_form_created", "form_id", "created_at"),
        Index("ix_consents_contact", "contact_key"),
    )


class UsedToken(Base):
    """A form token that already produced a sign-up, so a replay of it produces none."""

    __tablename__ = "used_tokens"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class VariantViews(Base):
    """How many times one variant of a form was seen on one day: one counter row, never a row per view."""

    __tablename__ = "variant_views"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    variant: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class Flag(Base):
    """A fact shared by every process, such as delivery being paused by a wrong key."""

    __tablename__ = "flags"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# Sign-ups waiting together are stored in one transaction: SQLite lets one writer commit at a time,
# and on PostgreSQL a batch saves each sign-up its own BEGIN, COMMIT and connection check, and the
# server its own commit (docs/benchmarks.md has the measurements).
BATCH_SIZES = {"sqlite": 64, "postgresql": 64}


def init_app(app):
    """Bind an engine and a session factory to `app`."""
    engine = make_engine(app.config["DATABASE_URL"], **app.config.get("ENGINE_OPTIONS", {}))
    app.extensions["signup.engine"] = engine
    app.extensions["signup.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["signup.writer"] = Writer(engine, max_batch=BATCH_SIZES[engine.dialect.name])


def engine():
    """Return the current app's engine."""
    return current_app.extensions["signup.engine"]


def writer():
    """Return the current app's writer, which stores sign-ups several to a transaction."""
    return current_app.extensions["signup.writer"]


def session():
    """Open a new session on the current app's database."""
    return current_app.extensions["signup.sessions"]()


def is_postgres():
    """Tell whether the current app stores in PostgreSQL."""
    return engine().dialect.name == "postgresql"


def migrate(target="head"):
    """Apply Alembic migrations up to `target` on the current app's database."""
    # Imported here: only `release` migrates, and web workers are 11 MB lighter without Alembic.
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine().begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)


def ping():
    """Run a trivial query; raise when the database cannot be reached."""
    with engine().connect() as connection:
        connection.execute(text("SELECT 1"))
