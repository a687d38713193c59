"""Admin sessions live in the database: signing out, or a new password, ends them on every instance."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from signup import create_app, db
from signup.admin.sessions import AdminSession
from signup.db import utcnow
from tests.admin.test_views import AUTH, HTML, csrf, sign_in
from tests.conftest import SECRET

COOKIE = "signup_admin"


@pytest.fixture
def second(settings, app):
    """A second instance of the service on the same database, as another web process would be."""
    other = create_app(settings, environ={"SECRET_KEY": SECRET})
    yield other
    other.extensions["signup.engine"].dispose()


def replay(instance, cookie):
    client = instance.test_client()
    client.set_cookie(COOKIE, cookie)
    return client


def assert_signed_out(client):
    assert client.get("/admin/submissions?reveal=1").status_code == 401
    answer = client.get("/admin/submissions?reveal=1", headers=HTML)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/admin/login?next=")


def session_rows(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(AdminSession)).all()


@pytest.mark.both_databases
def test_a_cookie_replayed_after_sign_out_opens_nothing_on_any_instance(app, client, second):
    sign_in(client)
    cookie = client.get_cookie(COOKIE).value
    assert replay(second, cookie).get("/admin/submissions?reveal=1").status_code == 200  # one session, both instances
    colleague = app.test_client()
    sign_in(colleague)
    assert client.post("/admin/logout", data={"csrf_token": csrf(client)}).status_code == 303
    assert_signed_out(replay(app, cookie))
    assert_signed_out(replay(second, cookie))
    assert colleague.get("/admin/submissions?reveal=1").status_code == 200  # other sessions stay open
    assert replay(second, cookie).get("/admin/", auth=AUTH).status_code == 200  # HTTP Basic is unchanged


@pytest.mark.both_databases
def test_signing_out_on_one_instance_ends_the_session_on_the_other(app, client, second):
    sign_in(client)
    cookie = client.get_cookie(COOKIE).value
    elsewhere = replay(second, cookie)
    elsewhere.post("/admin/logout", data={"csrf_token": csrf(elsewhere)})
    assert_signed_out(client)
    assert_signed_out(replay(app, cookie))
    assert session_rows(app) == []


@pytest.mark.both_databases
def test_a_new_password_ends_every_session_and_its_rows_go_at_the_next_sign_in(app, client, settings):
    sign_in(client)
    cookie = client.get_cookie(COOKIE).value
    restarted = create_app({**settings, "ADMIN_PASSWORD": "a-new-password"}, environ={"SECRET_KEY": SECRET})
    try:
        assert_signed_out(replay(restarted, cookie))
        newcomer = restarted.test_client()
        assert sign_in(newcomer, password="a-new-password").status_code == 303
        assert newcomer.get("/admin/").status_code == 200
        assert len(session_rows(app)) == 1  # the old password's session is gone
    finally:
        restarted.extensions["signup.engine"].dispose()


@pytest.mark.both_databases
def test_a_session_ends_twelve_hours_after_sign_in_and_ended_rows_are_cleaned(app, client):
    sign_in(client)
    with app.app_context(), db.session() as session, session.begin():
        session.execute(update(AdminSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert_signed_out(client)
    sign_in(app.test_client())
    (row,) = session_rows(app)
    assert timedelta(hours=11, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=12)


def test_the_table_holds_no_session_id_a_reader_could_present(app, client):
    sign_in(client)
    serializer = app.session_interface.get_signing_serializer(app)
    session_id = serializer.loads(client.get_cookie(COOKIE).value)["admin_sid"]
    with app.app_context(), db.session() as session:
        assert session.scalar(select(func.count()).where(AdminSession.id_hash == session_id)) == 0
        assert session.scalar(select(func.count()).select_from(AdminSession)) == 1
