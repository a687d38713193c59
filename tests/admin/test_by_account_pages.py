"""The admin with two eSputnik accounts in Chromium: axe-core and the W3C checker find nothing; 390 px; screenshots."""

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from signup import create_app, db
from signup.config import ROOT
from signup.delivery import outbox
from tests.admin.test_pages import VNU, _axe, _context, _open, _Quiet, _seed, screenshots, w3c_errors
from tests.conftest import SECRET, _settings, missing_service

PAGES = ("/admin/", "/admin/submissions", "/admin/submissions?account=bakery&reveal=1")
BAKERY = """
[accounts.bakery]
key_env = "BAKERY_ESPUTNIK_KEY"
api_url = "{url}"
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory, fake_server):
    """The example forms, the webinar's sent to the bakery's account, whose key eSputnik refuses."""
    folder = tmp_path_factory.mktemp("admin-accounts")
    forms = (ROOT / "forms.toml").read_text(encoding="utf-8")
    forms = forms.replace("[forms.webinar]\n", '[forms.webinar]\naccount = "bakery"\n')
    forms = BAKERY.format(url=fake_server.url) + forms
    (folder / "forms.toml").write_text(forms, encoding="utf-8")
    settings = _settings("sqlite", folder)
    settings.update(
        FORMS_FILE=str(folder / "forms.toml"),
        ESPUTNIK_API_URL=fake_server.url,
        DUPLICATE_WINDOW_SECONDS=0,
        MAX_SIGNUPS_PER_ADDRESS_PER_DAY=0,
    )
    app = create_app(settings, environ={"SECRET_KEY": SECRET, "BAKERY_ESPUTNIK_KEY": "bakery-key"})
    with app.app_context():
        db.migrate()
        _seed(app)
        outbox.pause("eSputnik refused the API key (401); check BAKERY_ESPUTNIK_KEY and its rights", "bakery")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    app.extensions["signup.engine"].dispose()


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_axe_finds_nothing_with_two_accounts(service, browser, size, language):
    context = _context(browser, size, language, service)
    try:
        page = context.new_page()
        for path in PAGES:
            _open(page, service + path)
            assert page.locator("section.account").count() == (2 if path == "/admin/" else 0)
            assert _axe(page) == [], path
    finally:
        context.close()


def test_the_w3c_checker_finds_no_error_with_two_accounts(service, browser, tmp_path):
    java = shutil.which("java")
    if java is None or not VNU.exists():
        missing_service("Java and vnu-jar in node_modules (apt-get install default-jre-headless; npm ci)")
    context = _context(browser, "desktop", "uk", service)
    files = []
    try:
        page = context.new_page()
        for index, path in enumerate(PAGES):
            _open(page, service + path)
            files.append(tmp_path / f"{index}.html")
            files[-1].write_text(page.content(), encoding="utf-8")
    finally:
        context.close()
    assert w3c_errors(java, files) == []


def test_at_390_px_nothing_scrolls_sideways_with_two_accounts(service, browser):
    context = _context(browser, "phone", "uk", service)
    try:
        page = context.new_page()
        for path in PAGES:
            _open(page, service + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (path, overflow)
        first = page.locator("table.submissions tbody tr").first
        account = first.locator('td[data-label="Обліковий запис"]')
        assert account.inner_text() == "bakery"
        assert account.evaluate("td => getComputedStyle(td, '::before').content") == '"Обліковий запис"'
    finally:
        context.close()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_screenshots_with_two_accounts(service, browser, language):
    screenshots(browser, service, language, (("accounts", "/admin/"), ("accounts-submissions", "/admin/submissions")))
