"""The admin view with several eSputnik accounts: forms under each, its connection and pause, the account filter."""

import re

import pytest

from signup import create_app
from signup.delivery import worker
from tests.admin.test_account import check_again
from tests.conftest import SECRET, empty_database, two_accounts
from tests.delivery.test_accounts import hook

AUTH = ("admin", "admin-pass")


@pytest.fixture
def app(settings, tmp_path, backend, fake_esputnik, shop):
    app = two_accounts(settings, tmp_path, backend, shop, SHOP_ESPUTNIK_KEY="shop-key")
    yield app
    app.extensions["signup.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def page(client, path="/admin/"):
    answer = client.get(path, auth=AUTH)
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def delivery_box(html):
    return html[html.index('id="delivery-heading"') : html.index("</section>")]


def test_forms_are_grouped_under_a_heading_per_account(client):
    html = page(client)
    default = html.index('<h2 id="esputnik-account-default-heading">Default eSputnik account</h2>')
    shop = html.index('<h2 id="esputnik-account-shop-heading">eSputnik account shop</h2>')
    assert default < html.index('id="form-plain"') < shop < html.index('id="form-news"')
    assert '<h3 id="form-news-heading">' in html and '<h3 id="form-plain-heading">' in html
    shop_url = client.application.extensions["signup.accounts"]["shop"].api_url
    assert f"Key in SHOP_ESPUTNIK_KEY, sent to {shop_url}" in html and "shop-key" not in html
    assert 'href="/admin/submissions?account=shop"' in html and 'href="/admin/submissions?account=default"' in html


def test_each_account_has_its_own_connection_asked_with_its_own_key(client, fake_esputnik, shop):
    box = delivery_box(page(client))
    assert "<dt>eSputnik · default account</dt>" in box and "<dt>eSputnik · account shop</dt>" in box
    assert re.search(
        r"default account</dt>\s*<dd class=\"connection ok\">Connected: eSputnik accepts the key of “Test", box
    )
    assert re.search(
        r"account shop</dt>\s*<dd class=\"connection ok\">Connected: eSputnik accepts the key of “Shop", box
    )
    assert [c.path for c in shop.calls] == ["/api/v1/account/info"]
    assert [c.path for c in fake_esputnik.calls] == ["/api/v1/account/info"]
    shop.api_key = "rotated"  # only the shop's key stops working
    box = delivery_box(page(client, "/admin/?recheck=1"))
    assert "Connected: eSputnik accepts the key of “Test shop”." in box
    assert "check SHOP_ESPUTNIK_KEY and its rights" in box and "check ESPUTNIK_API_KEY" not in box
    assert re.search(
        r"account shop</dt>\s*<dd class=\"connection failed\">Not connected: eSputnik does not accept", box
    )
    assert "shop-key" not in box and "test-key" not in box


@pytest.mark.both_databases
def test_a_wrong_key_pauses_and_names_only_its_own_account(app, client, shop):
    shop.api_key = "revoked"
    hook(app, "news", "a@example.com")
    hook(app, "plain", "b@example.com")
    with app.app_context():
        worker.drain(app, timeout=2.0)
    html = page(client)
    assert "Delivery to account shop is paused: eSputnik does not accept the API key. Nothing is lost" in html
    assert "eSputnik refused the API key (401); check SHOP_ESPUTNIK_KEY and its rights</span></small></p>" in html
    assert "Delivery is paused:" not in html  # the default account's sign-ups went out
    box = delivery_box(html)
    assert re.search(r"account shop</dt>\s*<dd class=\"connection failed\"><span class=\"paused\">Paused:", box)
    assert box.count("Paused:") == 1


@pytest.mark.both_databases
def test_submissions_filter_by_account_and_name_it_per_row(app, client):
    for n in range(2):
        hook(app, "news", f"shop{n}@example.com")
    hook(app, "plain", "plain@example.com")
    html = page(client, "/admin/submissions")
    assert '<select name="account"><option value="">all accounts</option>' in html
    assert '<option value="default">default</option><option value="shop">shop</option>' in html
    assert '<th scope="col">Account</th>' in html and html.count('data-label="Account"><code>shop</code>') == 2
    shop_only = page(client, "/admin/submissions?account=shop&reveal=1")
    assert "shop0@example.com" in shop_only and "shop1@example.com" in shop_only
    assert "plain@example.com" not in shop_only
    assert '<option value="shop" selected>' in shop_only
    assert "account=shop" in shop_only.split("Hide personal data")[0].rsplit("<a", 1)[1]  # the filter is kept
    default_only = page(client, "/admin/submissions?account=default&reveal=1")
    assert "plain@example.com" in default_only and "shop0@example.com" not in default_only
    assert "No submissions." in page(client, "/admin/submissions?account=gone")


@pytest.mark.parametrize(
    ("language", "default", "account"),
    [
        ("uk", "основний", "основний обліковий запис"),
        ("ru", "основной", "основной аккаунт"),
        ("en", "default", "default account"),
    ],
)
def test_the_default_account_is_named_in_the_marketer_s_language(app, client, language, default, account):
    hook(app, "plain", "plain@example.com")
    listed = page(client, f"/admin/submissions?lang={language}")
    assert f'<option value="default">{default}</option>' in listed
    assert re.search(rf'data-label="[^"]+">{default}</td>', listed)
    html = page(client, f"/admin/?lang={language}")
    assert f"<dt>eSputnik · {account}</dt>" in delivery_box(html)
    if language != "en":
        assert ">default<" not in listed and ">default<" not in html and "account default" not in html


def test_a_deployment_with_one_account_looks_as_before(settings, backend, fake_esputnik):
    app = create_app(settings, environ={"SECRET_KEY": SECRET})
    empty_database(app, backend)
    hook(app, "news", "a@example.com")
    client = app.test_client()
    html = page(client)
    assert "eSputnik account" not in html.split('id="form-')[0] and "esputnik-account-" not in html
    assert "<dt>eSputnik</dt>" in html and '<h2 id="form-news-heading">' in html
    listed = page(client, "/admin/submissions")
    assert 'name="account"' not in listed and "Account</th>" not in listed
    assert "No submissions." in page(client, "/admin/submissions?account=shop")
    assert "No submissions." not in page(client, "/admin/submissions?account=default")
    app.extensions["signup.engine"].dispose()


def check_row(html, form_id):
    start = html.index(f'<tr class="account-check" id="account-{form_id}">')
    return html[start : html.index("</tr>", start)]


@pytest.mark.both_databases
def test_the_account_check_asks_each_account_about_its_own_forms(app, client, fake_esputnik, shop):
    fake_esputnik.segments, shop.segments = ["Plain news"], ["Shop news"]
    assert check_again(client, "plain").status_code == 303
    html = page(client)
    assert "custom fields and groups match" in check_row(html, "plain")
    assert "custom fields and groups match" in check_row(html, "news")
    asked = [c.path for c in shop.calls if "account/info" not in c.path]
    assert asked == ["/api/v1/addressbooks", "/api/v1/groups?startindex=1&maxrows=500"]
    result = app.test_cli_runner().invoke(args=["forms", "check", "--remote"])
    assert result.exit_code == 0, result.output
    assert f"account default (ESPUTNIK_API_KEY, {fake_esputnik.url}):\n  plain: matches the eSputnik account" in (
        result.output
    )
    assert f"account shop (SHOP_ESPUTNIK_KEY, {shop.url}):\n  news: matches the eSputnik account" in result.output
    shop.segments = ["Plain news"]  # what the default account has is no help to the shop's form
    check_again(client, "plain")
    html = page(client)
    assert "no segment &#39;Shop news&#39; in eSputnik" in check_row(html, "news")
    assert "custom fields and groups match" in check_row(html, "plain")
    shop.api_key = "rotated"
    check_again(client, "plain")
    html = page(client)
    refused = "could not ask eSputnik: eSputnik refused the API key (401); check SHOP_ESPUTNIK_KEY and its rights"
    assert refused in check_row(html, "news") and "custom fields and groups match" in check_row(html, "plain")


@pytest.mark.both_databases
def test_an_account_without_its_key_is_named_and_the_others_are_checked(
    settings, tmp_path, backend, fake_esputnik, shop
):
    app = two_accounts({**settings, "DRY_RUN": True}, tmp_path, backend, shop)  # no SHOP_ESPUTNIK_KEY
    fake_esputnik.segments = ["Plain news"]
    client = app.test_client()
    check_again(client, "plain")
    html = page(client)
    assert "not checked: no SHOP_ESPUTNIK_KEY" in check_row(html, "news")
    assert "custom fields and groups match" in check_row(html, "plain")
    assert "No SHOP_ESPUTNIK_KEY is set: nothing is sent (dry run)." in delivery_box(html)
    result = app.test_cli_runner().invoke(args=["forms", "check", "--remote"])
    assert result.exit_code == 1
    assert "plain: matches the eSputnik account" in result.output
    assert "account shop not checked: SHOP_ESPUTNIK_KEY is not set" in result.output
    assert shop.calls == []
    app.extensions["signup.engine"].dispose()
