"""Worker heartbeats: live workers counted once, a silent one dropped once its beat is old, a stopped one at once."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from signup import db
from signup.db import Flag, utcnow
from signup.delivery import heartbeats

pytestmark = pytest.mark.both_databases


def test_workers_are_counted_while_they_beat(app):
    with app.app_context():
        assert heartbeats.beat("a") == 1
        assert heartbeats.beat("b") == 2
        assert heartbeats.beat("a") == 2  # a second beat is the same worker


def test_a_worker_killed_without_a_goodbye_stops_counting_once_its_beat_is_old(app):
    with app.app_context():
        heartbeats.beat("killed")
        heartbeats.beat("alive")
        old = utcnow() - timedelta(seconds=heartbeats.ALIVE_SECONDS + 1)
        with db.session() as session, session.begin():
            session.execute(update(Flag).where(Flag.name == heartbeats.PREFIX + "killed").values(updated_at=old))
        assert heartbeats.beat("alive") == 1


def test_a_clean_stop_gives_its_share_back_at_once(app):
    with app.app_context():
        heartbeats.beat("a")
        heartbeats.beat("b")
        heartbeats.forget("b")
        assert heartbeats.beat("a") == 1
