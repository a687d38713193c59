"""Shared fixtures: the app on SQLite or PostgreSQL, its client and runner, and the fake eSputnik."""

import os
import re
import secrets
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from signup import create_app, db
from tests.fake_esputnik import FakeEsputnik
from tests.openapi_conformance import Watch

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("SIGNUP_REQUIRE_SERVICES") == "1"
SECRET = "s" * 40
FORMS_FILE = Path(__file__).with_name("forms.toml")
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


def free_port():
    """Return a loopback port free at this moment, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def workers_of(master):
    """Return the pids of a gunicorn master's workers (Linux)."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def missing_service(reason):
    """Fail where services are required (CI), else skip with a loud reason."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(f"SKIPPED, service missing on this machine: {reason}")


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: run the test on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        metafunc.parametrize("backend", ["sqlite", "postgres"] if both else ["sqlite"], indirect=True)


@pytest.fixture(scope="session")
def fake_server():
    server = FakeEsputnik().start()
    yield server
    server.stop()


@pytest.fixture
def fake_esputnik(fake_server):
    """The fake eSputnik, reset to answer 200 to every valid call."""
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture
def shop():
    """A second eSputnik account, the shop's, with its own key, beside the default one (`fake_esputnik`)."""
    server = FakeEsputnik(api_key="shop-key", organisation="Shop Ltd").start()
    yield server
    server.stop()


TWO_ACCOUNTS = """
[accounts.shop]
key_env = "SHOP_ESPUTNIK_KEY"
api_url = "{shop_url}"

[forms.plain]
form_type = "plain"
fields = ["email"]
groups = ["Plain news"]

[forms.news]
form_type = "news"
fields = ["email"]
groups = ["Shop news"]
account = "shop"
"""


def two_accounts(settings, tmp_path, backend, shop, **environ):
    """Start the app with `news` sending to the shop account and `plain` to the default one, on an empty database."""
    path = tmp_path / "accounts.toml"
    path.write_text(TWO_ACCOUNTS.format(shop_url=shop.url), encoding="utf-8")
    app = create_app({**settings, "FORMS_FILE": str(path)}, environ={"SECRET_KEY": SECRET, **environ})
    empty_database(app, backend)
    return app


@pytest.fixture(scope="session")
def postgres_schema():
    """A throw-away schema in the test database, migrated once for the session."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        missing_service(f"PostgreSQL at {POSTGRES_URL} ({type(exc).__name__})")
    schema = f"signup_test_{os.getpid()}_{secrets.token_hex(3)}"
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    app = create_app(_settings("postgres", schema=schema, migrate_url=POSTGRES_URL), environ={"SECRET_KEY": SECRET})
    with app.app_context():
        db.migrate()
    yield schema
    app.extensions["signup.engine"].dispose()
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def _settings(backend, tmp_path=None, schema=None, migrate_url=None):
    settings = {
        "TESTING": True,
        "DRY_RUN": False,
        "ESPUTNIK_API_KEY": "test-key",
        "FORM_MIN_FILL_SECONDS": 0,
        "RETRY_BASE_SECONDS": 0,
        "RETRY_MAX_SECONDS": 0,
        "DELIVERY_IDLE_SECONDS": 0.01,
        "DELIVERY_PROBE_SECONDS": 0,
        "DELIVERY_RATE": 10000,
        "ESPUTNIK_CONNECT_TIMEOUT": 1.0,
        "ESPUTNIK_READ_TIMEOUT": 1.0,
        "WEBHOOK_TOKEN": "hook-secret-123",
        "ADMIN_PASSWORD": "admin-pass",
        "RATE_LIMIT": None,
        "FORMS_FILE": str(FORMS_FILE),
    }
    if backend == "postgres":
        settings["DATABASE_URL"] = migrate_url or POSTGRES_URL
        settings["ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    else:
        settings["DATABASE_URL"] = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return settings


@pytest.fixture
def backend(request):
    return request.param


@pytest.fixture
def settings(backend, tmp_path, fake_server, request):
    """Config for the app under test; tests may change it before asking for `app`."""
    schema = request.getfixturevalue("postgres_schema") if backend == "postgres" else None
    values = _settings(backend, tmp_path, schema)
    values["ESPUTNIK_API_URL"] = fake_server.url
    return values


def empty_database(app, backend):
    """Start `app` on an empty database: PostgreSQL's session schema truncated, SQLite's new file migrated."""
    with app.app_context():
        if backend == "postgres":
            with db.engine().begin() as connection:
                tables = ", ".join(table.name for table in db.Base.metadata.sorted_tables)
                connection.execute(text(f"TRUNCATE {tables}"))
        else:
            db.migrate()


@pytest.fixture
def app(settings, backend, fake_esputnik):
    app = create_app(settings, environ={"SECRET_KEY": SECRET})
    # Every answer a test provokes on the JSON API or the webhooks must be one the OpenAPI document allows.
    watch = Watch(app)
    empty_database(app, backend)
    yield app
    app.extensions["signup.engine"].dispose()
    assert not watch.problems, "answers the OpenAPI document does not describe:\n" + "\n".join(watch.problems)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def form_token(client, form_id, **params):
    """Fetch the form page as a browser would and return the token rendered into it."""
    page = client.get(f"/f/{form_id}", query_string=params)
    assert page.status_code == 200
    return TOKEN_RE.search(page.get_data(as_text=True)).group(1)


def sign_up(client, form_id, **fields):
    """Submit the form as a person would: every rendered input, the visible ones filled in."""
    data = {"form_token": form_token(client, form_id), "website": "", **fields}
    return client.post(f"/f/{form_id}", data=data)


def wait_for(predicate, timeout=10.0, interval=0.02):
    """Poll `predicate` until it is true or `timeout` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven through playwright, one per test module."""
    if not Path(CHROMIUM).exists():
        missing_service(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("the playwright package (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()
