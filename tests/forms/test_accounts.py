"""Accounts in the forms file: read, named by forms, and each one's key required at start."""

import pytest

from signup import create_app
from signup.forms import catalogue
from signup.forms.accounts import Account

SECRET = "s" * 32
FORM = """
[forms.{id}]
form_type = "news"
fields = ["email"]
{extra}
"""
TWO_ACCOUNTS = (
    """
[accounts.shop]
key_env = "SHOP_ESPUTNIK_KEY"
api_url = "https://shop.esputnik.example/"

[accounts.cafe]
key_env = "CAFE_ESPUTNIK_KEY"
"""
    + FORM.format(id="news", extra='account = "shop"')
    + FORM.format(id="menu", extra='account = "cafe"')
    + FORM.format(id="plain", extra="")
)


def problems(text):
    with pytest.raises(catalogue.CatalogueError) as info:
        catalogue.read(text)
    return info.value.problems


def test_accounts_are_read_and_each_form_names_its_own():
    forms, accounts = catalogue.read(TWO_ACCOUNTS)
    assert accounts == {
        "shop": Account("shop", "SHOP_ESPUTNIK_KEY", "https://shop.esputnik.example"),
        "cafe": Account("cafe", "CAFE_ESPUTNIK_KEY", None),
    }
    assert (forms["news"].account, forms["menu"].account, forms["plain"].account) == ("shop", "cafe", None)


def test_a_form_without_accounts_keeps_the_default_account():
    forms, accounts = catalogue.read(FORM.format(id="news", extra=""))
    assert accounts == {} and forms["news"].account is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FORM.format(id="news", extra='account = "shop"'), "forms.news.account: no account 'shop'"),
        ('[accounts.shop]\napi_url = "https://x.example"\n' + FORM.format(id="n", extra=""), "accounts.shop.key_env"),
        ('[accounts.shop]\nkey_env = "lower"\n' + FORM.format(id="n", extra=""), "accounts.shop.key_env"),
        ('[accounts.shop]\nkey_env = "K"\napi_url = "ftp://x"\n' + FORM.format(id="n", extra=""), "shop.api_url"),
        ('[accounts.shop]\nkey_env = "K"\napi_url = "https://x/api/v1"\n' + FORM.format(id="n", extra=""), "/api/v1"),
        ('[accounts.shop]\nkey_env = "K"\ntoken = "x"\n' + FORM.format(id="n", extra=""), "accounts.shop.token"),
        ('[accounts.Shop]\nkey_env = "K"\n' + FORM.format(id="n", extra=""), "accounts.Shop: the account name"),
        ("accounts = 3\n" + FORM.format(id="n", extra=""), "accounts: expected one table per account"),
    ],
)
def test_each_account_mistake_is_named(text, expected):
    assert any(expected in line for line in problems(text)), problems(text)


@pytest.fixture
def forms_file(tmp_path):
    path = tmp_path / "forms.toml"
    path.write_text(TWO_ACCOUNTS, encoding="utf-8")
    return path


def start(forms_file, tmp_path, **env):
    settings = {"FORMS_FILE": str(forms_file), "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"}
    return create_app(environ={"SECRET_KEY": SECRET, "ESPUTNIK_API_KEY": "default-key", **settings, **env})


def test_an_account_without_its_key_stops_the_start_naming_form_and_account(forms_file, tmp_path):
    with pytest.raises(catalogue.CatalogueError) as info:
        start(forms_file, tmp_path, SHOP_ESPUTNIK_KEY="shop-key")
    assert info.value.problems == [
        "forms.menu.account: account 'cafe' needs its key, but CAFE_ESPUTNIK_KEY is not set "
        "(set it, or DRY_RUN=1 to store without sending)"
    ]


def test_every_account_with_its_key_starts(forms_file, tmp_path):
    app = start(forms_file, tmp_path, SHOP_ESPUTNIK_KEY="shop-key", CAFE_ESPUTNIK_KEY="cafe-key")
    assert set(app.extensions["signup.accounts"]) == {"shop", "cafe"}


def test_a_dry_run_starts_without_the_accounts_keys(forms_file, tmp_path):
    app = start(forms_file, tmp_path, DRY_RUN="1")
    assert app.extensions["signup.forms"]["news"].account == "shop"


def test_an_accounts_key_never_reaches_a_log_line(forms_file, tmp_path, capfd):
    app = start(forms_file, tmp_path, SHOP_ESPUTNIK_KEY="shop-key-very-secret", CAFE_ESPUTNIK_KEY="cafe-key-1")

    def boom():
        raise RuntimeError("eSputnik refused shop-key-very-secret")

    app.add_url_rule("/boom", view_func=boom)
    capfd.readouterr()
    assert app.test_client().get("/boom").status_code == 500
    logged = capfd.readouterr().err
    assert "eSputnik refused [secret]" in logged and "shop-key-very-secret" not in logged
