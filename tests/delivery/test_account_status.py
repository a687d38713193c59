"""A worker's start with several eSputnik accounts: which it would send to in a dry run, which key it lacks."""

import json
import os
import subprocess
import sys

from sqlalchemy import select

from signup import create_app, db
from signup.config import ROOT
from signup.db import Submission
from tests.conftest import SECRET, TWO_ACCOUNTS, empty_database, two_accounts
from tests.delivery.test_accounts import emails, hook


def logged(capfd, logger):
    lines = (line for line in capfd.readouterr().err.splitlines() if line.startswith("{"))
    return [entry for entry in map(json.loads, lines) if entry["logger"] == logger]


def test_a_dry_run_worker_logs_each_account_it_would_send_to_never_a_key(
    settings, tmp_path, backend, fake_esputnik, shop, capfd
):
    app = two_accounts({**settings, "DRY_RUN": True}, tmp_path, backend, shop, SHOP_ESPUTNIK_KEY="shop-key")
    capfd.readouterr()
    result = app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert result.exit_code == 0, result.output
    lines = logged(capfd, "signup.delivery.account_status")
    assert [line["message"] for line in lines] == [
        f"dry run: would send forms plain to account default at {fake_esputnik.url}; nothing is sent",
        f"dry run: would send forms news to account shop at {shop.url}; nothing is sent",
    ]
    assert [(line["account"], line["api_url"]) for line in lines] == [
        ("default", fake_esputnik.url),
        ("shop", shop.url),
    ]
    assert "shop-key" not in json.dumps(lines) and "test-key" not in json.dumps(lines)
    app.extensions["signup.engine"].dispose()


def test_a_worker_without_the_default_accounts_key_names_that_account(settings, tmp_path, backend, shop):
    settings = {**settings, "ESPUTNIK_API_KEY": "", "DRY_RUN": False}
    app = two_accounts(settings, tmp_path, backend, shop, SHOP_ESPUTNIK_KEY="shop-key")
    result = app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert result.exit_code == 2
    assert result.output.startswith(
        "ESPUTNIK_API_KEY: not set, so the worker will not start: account default sends forms plain "
    )
    assert "none is lost" in result.output
    app.extensions["signup.engine"].dispose()


def test_no_default_key_is_needed_when_every_form_has_its_own_account(settings, tmp_path, backend, shop):
    path = tmp_path / "shop-only.toml"
    forms = TWO_ACCOUNTS.format(shop_url=shop.url).replace('groups = ["Plain news"]', 'account = "shop"')
    path.write_text(forms, encoding="utf-8")
    settings = {**settings, "ESPUTNIK_API_KEY": "", "DRY_RUN": False, "FORMS_FILE": str(path)}
    app = create_app(settings, environ={"SECRET_KEY": SECRET, "SHOP_ESPUTNIK_KEY": "shop-key"})
    empty_database(app, backend)
    hook(app, "plain", "a@example.com")
    result = app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert emails(shop) == ["a@example.com"]
    with app.app_context(), db.session() as session:
        assert session.scalars(select(Submission.state)).all() == ["delivered"]
    app.extensions["signup.engine"].dispose()


def test_flask_deliver_without_an_accounts_key_stops_naming_the_form_the_account_and_the_variable(tmp_path, shop):
    path = tmp_path / "forms.toml"
    path.write_text(TWO_ACCOUNTS.format(shop_url=shop.url), encoding="utf-8")
    environ = {
        key: value for key, value in os.environ.items() if not key.endswith(("_KEY", "_URL")) and key != "DRY_RUN"
    }
    environ.update(
        SECRET_KEY=SECRET,
        ESPUTNIK_API_KEY="default-key",
        FORMS_FILE=str(path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    )
    command = [sys.executable, "-m", "flask", "--app", "app", "deliver", "--once"]
    done = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "configuration error: forms.news.account: account 'shop' needs its key, but SHOP_ESPUTNIK_KEY is not set "
        "(set it, or DRY_RUN=1 to store without sending)\n"
    )
