"""Failed admin sign-ins: one count for every process, and the operator's device cookie that keeps them in."""

import logging
import secrets

import pytest
from sqlalchemy import select

from signup import create_app, db
from signup.admin.throttle import DEVICE_COOKIE, LoginFailure
from tests.admin.test_views import AUTH, csrf, sign_in
from tests.conftest import REDIS_URL, SECRET, missing_service

WRONG = ("admin", "guess")


def instance(settings, **changes):
    return create_app({**settings, **changes}, environ={"SECRET_KEY": SECRET})


@pytest.fixture
def second(settings, app):
    """A second instance of the service on the same database, as another gunicorn process would be."""
    other = instance(settings)
    yield other
    other.extensions["signup.engine"].dispose()


def an_address():
    return {"REMOTE_ADDR": f"203.0.113.{secrets.randbelow(250) + 1}"}


ADMIN_KEYS = "LIMITS:LIMITER/admin-login/*"


@pytest.fixture
def redis_db():
    """The test Redis database, left as it was found: other test runs may share it at the same time."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {REDIS_URL} ({type(exc).__name__})")
    before = set(connection.scan_iter(match=ADMIN_KEYS))
    yield connection
    made = set(connection.scan_iter(match=ADMIN_KEYS)) - before
    if made:
        connection.delete(*made)


@pytest.mark.both_databases
def test_fourteen_wrong_attempts_over_two_processes_get_five_401_then_429(app, second):
    clients = (app.test_client(), second.test_client())
    answers = [clients[n % 2].get("/admin/", auth=WRONG).status_code for n in range(14)]
    assert answers == [401] * 5 + [429] * 9
    for client in clients:  # the right password waits too, from this address and without a device cookie
        assert client.get("/admin/", auth=AUTH).status_code == 429
        assert client.get("/admin/", auth=AUTH, environ_base=an_address()).status_code == 200


@pytest.mark.both_databases
def test_the_sixth_wrong_sign_in_a_minute_is_429_whichever_process_answers(app, second):
    first, other = app.test_client(), second.test_client()
    for client in (first, first, other, first, other):
        assert sign_in(client, password="guess").status_code == 401
    assert sign_in(other, password="guess").status_code == 429
    assert sign_in(first).status_code == 429


def test_failures_are_shared_through_redis_when_it_is_set(settings, app, tmp_path, redis_db):
    # Two databases, so only Redis can carry the count from one instance to the other.
    first = instance(settings, REDIS_URL=REDIS_URL)
    other = instance(settings, REDIS_URL=REDIS_URL, DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        with other.app_context():
            db.migrate()
        address = an_address()
        for _ in range(5):
            assert first.test_client().get("/admin/", auth=WRONG, environ_base=address).status_code == 401
        assert other.test_client().get("/admin/", auth=WRONG, environ_base=address).status_code == 429
        assert other.test_client().get("/admin/", auth=AUTH, environ_base=address).status_code == 429
        assert list(redis_db.scan_iter(match=ADMIN_KEYS))
        with first.app_context(), db.session() as session:
            assert session.scalars(select(LoginFailure)).all() == []  # counted in Redis, not the database
    finally:
        for app in (first, other):
            app.extensions["signup.engine"].dispose()


@pytest.mark.both_databases
def test_a_redis_that_does_not_answer_leaves_the_count_to_the_database(settings, app, caplog):
    down = "redis://127.0.0.1:9/15"
    first, other = instance(settings, REDIS_URL=down), instance(settings, REDIS_URL=down)
    try:
        with caplog.at_level(logging.WARNING):
            for _ in range(5):
                assert first.test_client().get("/admin/", auth=WRONG).status_code == 401
            assert other.test_client().get("/admin/", auth=WRONG).status_code == 429
        assert "Redis unavailable (ConnectionError), counting in the database" in caplog.text
    finally:
        for instance_app in (first, other):
            instance_app.extensions["signup.engine"].dispose()


def operator_with_device(app):
    """A browser that signed in once (so it holds a device cookie) and signed out again."""
    operator = app.test_client()
    assert sign_in(operator).status_code == 303
    assert operator.get_cookie(DEVICE_COOKIE, path="/admin/") is not None
    operator.post("/admin/logout", data={"csrf_token": csrf(operator)})
    assert operator.get("/admin/").status_code == 401
    return operator


@pytest.mark.both_databases
def test_the_operator_s_device_cookie_signs_in_while_the_address_is_locked(app, second):
    operator = operator_with_device(app)
    attacker = second.test_client()  # the same address: the operator's network, or a proxy every client shares
    for _ in range(5):
        assert sign_in(attacker, password="guess").status_code == 401
    assert sign_in(attacker, password="guess").status_code == 429
    assert sign_in(attacker).status_code == 429  # without a device cookie even the right password waits
    assert operator.get("/admin/", auth=AUTH).status_code == 200
    assert sign_in(operator).status_code == 303
    assert operator.get("/admin/submissions").status_code == 200
    device = operator.get_cookie(DEVICE_COOKIE, path="/admin/").value
    on_second = second.test_client()
    on_second.set_cookie(DEVICE_COOKIE, device, path="/admin/")
    assert on_second.get("/admin/", auth=AUTH).status_code == 200  # every instance honours it


@pytest.mark.both_databases
def test_a_device_cookie_has_its_own_limit(app):
    operator = operator_with_device(app)
    for _ in range(5):
        assert sign_in(operator, password="guess").status_code == 401
    assert sign_in(operator).status_code == 429  # guessing with a stolen device cookie is limited too
    assert app.test_client().get("/admin/", auth=AUTH).status_code == 200  # and did not lock the address


def test_a_forged_or_foreign_device_cookie_counts_for_nothing(app):
    operator = operator_with_device(app)
    device = operator.get_cookie(DEVICE_COOKIE, path="/admin/").value
    for _ in range(5):
        app.test_client().get("/admin/", auth=WRONG)
    forged = app.test_client()
    forged.set_cookie(DEVICE_COOKIE, device[:-2] + ("AA" if not device.endswith("AA") else "BB"), path="/admin/")
    assert forged.get("/admin/", auth=AUTH).status_code == 429
    foreign = app.test_client()
    foreign.set_cookie(DEVICE_COOKIE, device, path="/admin/")
    assert foreign.get("/admin/", auth=("root", AUTH[1])).status_code == 429  # earned by another user name


def test_the_device_cookie_is_kept_from_scripts_and_other_sites(app, client):
    sign_in(client)
    cookie = client.get_cookie(DEVICE_COOKIE, path="/admin/")
    assert cookie.http_only and cookie.secure and cookie.same_site == "Strict"
    assert cookie.max_age and cookie.max_age > 30 * 86400
    assert client.get("/admin/").headers.get("Set-Cookie", "").find(DEVICE_COOKIE) == -1  # given once


@pytest.mark.both_databases
def test_the_count_keeps_no_client_address(app, client):
    for _ in range(2):
        client.get("/admin/", auth=WRONG, environ_base={"REMOTE_ADDR": "198.51.100.23"})
    with app.app_context(), db.session() as session:
        keys = session.scalars(select(LoginFailure.key)).all()
    assert len(keys) == 2 and len(set(keys)) == 1 and "198.51.100" not in keys[0]


@pytest.mark.both_databases
def test_unlock_lifts_every_lockout_for_every_process(app, second):
    for _ in range(5):
        app.test_client().get("/admin/", auth=WRONG)
    assert second.test_client().get("/admin/", auth=AUTH).status_code == 429
    result = app.test_cli_runner().invoke(args=["admin", "unlock"])
    assert result.output == "admin sign-in lockouts lifted (5 count(s) dropped)\n"
    assert second.test_client().get("/admin/", auth=AUTH).status_code == 200


def test_unlock_clears_the_counts_kept_in_redis(settings, app, redis_db):
    limited, address, kept = (
        instance(settings, REDIS_URL=REDIS_URL),
        an_address(),
        f"LIMITS:LIMITER/visitor/{secrets.token_hex(4)}",
    )
    try:
        redis_db.set(kept, 1, ex=60)  # other limits stay as they are
        for _ in range(5):
            limited.test_client().get("/admin/", auth=WRONG, environ_base=address)
        assert limited.test_client().get("/admin/", auth=AUTH, environ_base=address).status_code == 429
        assert limited.test_cli_runner().invoke(args=["admin", "unlock"]).exit_code == 0
        assert limited.test_client().get("/admin/", auth=AUTH, environ_base=address).status_code == 200
        assert redis_db.get(kept) == b"1"
    finally:
        redis_db.delete(kept)
        limited.extensions["signup.engine"].dispose()
