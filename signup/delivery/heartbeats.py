"""Which delivery workers are alive, so that they can share eSputnik's rate limit between them."""

from datetime import timedelta

from sqlalchemy import delete, func, select

from .. import db
from ..db import Flag, utcnow

PREFIX = "worker:"
ALIVE_SECONDS = 15.0


def beat(owner):
    """Record that `owner` is alive now and return how many workers are alive."""
    now = utcnow()
    name = PREFIX + owner
    with db.session() as session, session.begin():
        flag = session.get(Flag, name)
        if flag is None:
            session.add(Flag(name=name, value="alive", updated_at=now))
        else:
            flag.updated_at = now
        # A worker killed without a goodbye stops counting once its beat is old.
        session.execute(
            delete(Flag).where(Flag.name.startswith(PREFIX), Flag.updated_at < now - timedelta(seconds=ALIVE_SECONDS))
        )
        # What is left after the stale ones went is alive, this worker included.
        count = session.scalar(select(func.count()).select_from(Flag).where(Flag.name.startswith(PREFIX)))
    return max(count or 0, 1)


def forget(owner):
    """Remove `owner` on a clean stop, so the others take its share at once."""
    with db.session() as session, session.begin():
        session.execute(delete(Flag).where(Flag.name == PREFIX + owner))
