"""Configuration from the environment, and the one-line-per-mistake start-up check."""

import os
import subprocess
import sys

import pytest

from signup import config
from signup.config import ROOT


def load(**env):
    return config.from_environ({"SECRET_KEY": "k" * 32, **env})


def problems(**env):
    with pytest.raises(config.ConfigError) as info:
        config.from_environ(env)
    return info.value.problems


def test_defaults():
    settings = load()
    assert settings["DRY_RUN"] is False
    assert settings["ESPUTNIK_API_URL"] == "https://esputnik.com"
    assert settings["DATABASE_URL"].startswith("sqlite:///") and settings["DATABASE_URL"].endswith(
        "instance/signup.sqlite3"
    )
    assert settings["ADMIN_USERNAME"] == "admin"
    assert settings["RATE_LIMIT"] == config.DEFAULT_RATE_LIMIT
    assert settings["PORT"] == 5000


def test_development_without_a_key_is_a_dry_run_and_needs_no_secret():
    settings = config.from_environ({"SIGNUP_DEV": "1"})
    assert settings["DRY_RUN"] is True and len(settings["SECRET_KEY"]) >= 32
    assert config.from_environ({"SIGNUP_DEV": "1", "ESPUTNIK_API_KEY": "k"})["DRY_RUN"] is False


def test_secret_key_is_required_outside_development():
    assert problems() == ["SECRET_KEY: required outside development (set SIGNUP_DEV=1 for a local run)"]


def test_heroku_postgres_urls_are_accepted():
    assert load(DATABASE_URL="postgres://u:p@db:5432/x")["DATABASE_URL"] == "postgresql+psycopg://u:p@db:5432/x"


@pytest.mark.parametrize(
    ("env", "start"),
    [
        ({"DRY_RUN": "maybe"}, "DRY_RUN: expected 1 or 0"),
        ({"PORT": "http"}, "PORT: expected a number"),
        ({"TRUSTED_PROXY_HOPS": "-1"}, "TRUSTED_PROXY_HOPS: must be at least 0"),
        ({"ESPUTNIK_API_URL": "esputnik.com"}, "ESPUTNIK_API_URL: expected an http(s) URL"),
        ({"ESPUTNIK_API_URL": "https://esputnik.com/api/v1"}, "ESPUTNIK_API_URL: give the base URL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL: only sqlite"),
        ({"RATE_LIMIT": "lots"}, "RATE_LIMIT: not a limit"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL: expected a redis://"),
        ({"ESPUTNIK_READ_TIMEOUT": "45"}, "ESPUTNIK_READ_TIMEOUT: at most 30 s"),
        ({"DELIVERY_LEASE_SECONDS": "120"}, "DELIVERY_LEASE_SECONDS: at most 55 s"),
        ({"DELIVERY_LEASE_SECONDS": "5"}, "DELIVERY_LEASE_SECONDS: must exceed the connect and read timeouts"),
    ],
)
def test_each_wrong_value_names_its_variable(env, start):
    found = problems(SECRET_KEY="k" * 32, **env)
    assert len(found) == 1 and found[0].startswith(start), found


def test_rate_limit_off():
    assert load(RATE_LIMIT="off")["RATE_LIMIT"] is None


def _start(env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SIGNUP_DEV", "FORMS_FILE")}
    return subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_the_wsgi_entry_stops_with_one_line_per_mistake():
    result = _start({"PORT": "x", "DRY_RUN": "2"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "configuration error: DRY_RUN: expected 1 or 0, got '2'",
        "configuration error: SECRET_KEY: required outside development (set SIGNUP_DEV=1 for a local run)",
        "configuration error: PORT: expected a number, got 'x'",
    ]


def test_a_forms_file_mistake_stops_the_start(tmp_path):
    forms = tmp_path / "forms.toml"
    forms.write_text('[forms.a]\nform_type = "a!"\nfields = ["email"]\n')
    result = _start({"SIGNUP_DEV": "1", "FORMS_FILE": str(forms)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: forms.a.form_type: eSputnik forbids the characters ! in formType"
    ]


def test_operations_settings_and_their_defaults():
    settings = load()
    assert settings["RETENTION_DAYS"] == 30 and settings["CONSENT_RETENTION_DAYS"] == 0
    assert settings["LOG_FORMAT"] == "json" and settings["LOG_LEVEL"] == "INFO"
    assert settings["METRICS_TOKEN"] == "" and settings["PUBLIC_URL"] == ""
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert config.from_environ({"SIGNUP_DEV": "1"})["LOG_FORMAT"] == "text"
    settings = load(RETENTION_DAYS="7", LOG_FORMAT="TEXT", LOG_LEVEL="debug", PUBLIC_URL="https://forms.example.com/")
    assert (settings["RETENTION_DAYS"], settings["LOG_FORMAT"], settings["LOG_LEVEL"]) == (7, "text", "DEBUG")
    assert settings["PUBLIC_URL"] == "https://forms.example.com"


def test_wrong_operations_settings_name_their_variable():
    found = problems(
        SECRET_KEY="k" * 32,
        RETENTION_DAYS="a month",
        LOG_FORMAT="xml",
        PUBLIC_URL="forms.example.com",
        ADMIN_LOGIN_LIMIT="lots",
    )
    assert [line.split(":")[0] for line in found] == ["PUBLIC_URL", "ADMIN_LOGIN_LIMIT", "LOG_FORMAT", "RETENTION_DAYS"]


def test_calls_in_flight_have_a_ceiling_that_the_older_name_still_sets():
    assert load()["DELIVERY_MAX_CONCURRENCY"] == config.DEFAULT_MAX_CONCURRENCY
    assert load(DELIVERY_MAX_CONCURRENCY="64")["DELIVERY_MAX_CONCURRENCY"] == 64
    assert load(DELIVERY_CONCURRENCY="24")["DELIVERY_MAX_CONCURRENCY"] == 24
    assert load(DELIVERY_CONCURRENCY="24", DELIVERY_MAX_CONCURRENCY="24")["DELIVERY_MAX_CONCURRENCY"] == 24
    assert problems(SECRET_KEY="k" * 32, DELIVERY_CONCURRENCY="8", DELIVERY_MAX_CONCURRENCY="64") == [
        "DELIVERY_CONCURRENCY: the older name of DELIVERY_MAX_CONCURRENCY; set only one of them"
    ]
    assert problems(SECRET_KEY="k" * 32, DELIVERY_MAX_CONCURRENCY="0") == [
        "DELIVERY_MAX_CONCURRENCY: must be at least 1, got '0'"
    ]


def test_first_retries_come_in_seconds():
    settings = load()
    assert (settings["RETRY_BASE_SECONDS"], settings["RETRY_MAX_SECONDS"]) == (2.0, 3600.0)


def _fresh_process(code, tmp_path):
    """Run `code` in a new interpreter with the app in development mode on its own database; return its output."""
    env = {"SIGNUP_DEV": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FORMS_FILE", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


WEB_WORKER = """
import sys
from app import app
from signup import db

with app.app_context():
    db.migrate()
client = app.test_client()
page = client.get("/f/newsletter").get_data(as_text=True)
assets = [part.split('"')[0] for part in page.split('src="')[1:] + page.split('href="')[1:]]
answers = [client.get(path).status_code for path in ["/embed.js", *[a for a in assets if a.startswith("/assets/")]]]
print(answers, sorted(name for name in ("requests", "calmjs", "ply") if name in sys.modules))
"""


def test_a_web_worker_serving_forms_holds_neither_the_http_library_nor_the_script_parser(tmp_path):
    # Together 10 MB of a web worker's memory, needed only to call eSputnik or to minify the scripts once.
    assert _fresh_process(WEB_WORKER, tmp_path) == "[200, 200, 200] []"


DELIVERY_WORKER = """
import sys
from app import app
from signup.delivery import esputnik, worker

before = "requests" in sys.modules
with app.app_context():
    worker.Worker(app)
print(before, "requests" in sys.modules, len(esputnik._sessions))
"""


def test_a_delivery_worker_loads_the_http_library_before_its_first_call(tmp_path):
    # Loaded by the first call instead, it held the calls paced meanwhile, which then reached eSputnik together.
    assert _fresh_process(DELIVERY_WORKER, tmp_path) == "False True 1"
