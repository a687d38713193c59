"""Every admin page in Chromium: axe-core and the W3C Nu HTML checker find nothing; it works at 390 px; screenshots."""

import json
import random
import shutil
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from werkzeug.serving import WSGIRequestHandler, make_server

from signup import catalogue, create_app, db, intake
from signup.config import ROOT
from signup.db import Submission, utcnow
from tests.conftest import SECRET, _settings, missing_service

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts" / "admin"
AUTH = {"username": "admin", "password": "admin-pass"}
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TIMEOUT_MS = 8000
# Every page of the admin a marketer can reach, with something on it.
PAGES = (
    "/admin/",
    "/admin/submissions",
    "/admin/submissions?form=newsletter&reveal=1",
    "/admin/submissions?q=nobody%40example.com",
    "/admin/forms/newsletter/test",
    "/admin/variants",
)
STATES = ["delivered"] * 6 + ["pending"] * 2 + ["refused", "dry_run", "dead", "limited"]
NAMES = ["Ada", "Olena", "Taras", "Iryna", "Bohdan", "Mykola", "Sofia", "Lesya"]
WHEN = {"uk": "Коли (UTC)", "ru": "Когда (UTC)", "en": "When (UTC)"}  # the first column's name on a phone
BRAND = "rgb(11, 92, 173)"  # --brand in admin.css


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args):
        pass


def _seed(app):
    """Store a month of sign-ups for the example forms, in every state, some days busier than others."""
    chooser = random.Random(18)
    forms = catalogue.all_forms()
    with app.test_request_context():
        for number in range(90):
            form = forms[number % len(forms)]
            values = {"first_name": chooser.choice(NAMES)}
            if "email" in form.fields:
                values["email"] = f"person{number}@example.com"
            else:
                values["phone"] = f"+38050{1000000 + number}"
            source = chooser.choice(["form", "api", "webhook"])
            submission_id, _created = intake.accept(form, values, "uk", source=source)
            age = timedelta(days=int(chooser.triangular(0, 29, 3)), hours=chooser.randint(0, 20))
            state = "pending" if age.days == 0 and number % 3 else chooser.choice(STATES)
            with db.session() as session, session.begin():
                changes = {"created_at": utcnow() - age, "state": state, "attempts": 0 if state == "pending" else 1}
                session.execute(update(Submission).where(Submission.id == submission_id).values(**changes))


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    settings = _settings("sqlite", tmp_path_factory.mktemp("admin-pages"))
    settings.update(FORMS_FILE=str(ROOT / "forms.toml"), DUPLICATE_WINDOW_SECONDS=0, MAX_SIGNUPS_PER_ADDRESS_PER_DAY=0)
    app = create_app(settings, environ={"SECRET_KEY": SECRET})
    with app.app_context():
        db.migrate()
        _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    app.extensions["signup.engine"].dispose()


def w3c_errors(java, files):
    """Return (file name, message) for each error the W3C checker finds in the saved pages `files`."""
    checked = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    return [(Path(m.get("url", "")).name, m.get("message")) for m in messages]


def _context(browser, size, language, service=None):
    """A browser of the given size and language; signed in on the login page when `service` is given."""
    # axe-core is injected as a script, which the admin's own Content-Security-Policy would rightly refuse.
    context = browser.new_context(
        viewport=SIZES[size], bypass_csp=True, locale={"uk": "uk-UA", "ru": "ru-RU", "en": "en-US"}[language]
    )
    context.set_default_timeout(TIMEOUT_MS)
    if service:
        page = context.new_page()
        page.goto(f"{service}/admin/login")
        page.locator("#username").fill(AUTH["username"])
        page.locator("#password").fill(AUTH["password"])
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{service}/admin/")
        page.close()
    return context


def _open(page, url):
    page.goto(url)
    assert "/admin/login" not in page.url, f"{url} sent the browser to sign in"


def _axe(page):
    if not AXE.exists():
        missing_service("axe-core in node_modules (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_axe_finds_nothing_on_any_admin_page(service, browser, size, language):
    context = _context(browser, size, language, service)
    try:
        page = context.new_page()
        for path in PAGES:
            _open(page, service + path)
            assert page.locator("html").get_attribute("lang") == language
            for details in page.locator("details").all()[:12]:
                details.evaluate("node => node.open = true")  # check what opens, too
            assert _axe(page) == [], path
        login = _context(browser, size, language)
        try:
            page = login.new_page()
            page.goto(service + "/admin/login")
            assert _axe(page) == [], "/admin/login"
        finally:
            login.close()
    finally:
        context.close()


def test_the_w3c_checker_finds_no_error_on_any_admin_page(service, browser, tmp_path):
    java = shutil.which("java")
    if java is None or not VNU.exists():
        missing_service("Java and vnu-jar in node_modules (apt-get install default-jre-headless; npm ci)")
    files = []
    for language in ("uk", "ru", "en"):
        context = _context(browser, "desktop", language, service)
        try:
            page = context.new_page()
            for index, path in enumerate((*PAGES, "/admin/forms/newsletter/test?lang=" + language)):
                _open(page, service + path)
                files.append(tmp_path / f"{language}-{index}.html")
                files[-1].write_text(page.content(), encoding="utf-8")
        finally:
            context.close()
        login = _context(browser, "desktop", language)
        try:
            page = login.new_page()
            page.goto(service + "/admin/login")
            files.append(tmp_path / f"{language}-login.html")
            files[-1].write_text(page.content(), encoding="utf-8")
        finally:
            login.close()
    assert w3c_errors(java, files) == []


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
def test_at_390_px_nothing_scrolls_sideways_and_the_search_hint_fits(service, browser, language):
    context = _context(browser, "phone", language, service)
    try:
        page = context.new_page()
        for path in PAGES:
            _open(page, service + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (path, overflow)
        _open(page, service + "/admin/submissions")
        fits = page.evaluate(
            """() => {
                const input = document.querySelector('input[type=search]');
                const style = getComputedStyle(input);
                const context = document.createElement('canvas').getContext('2d');
                context.font = style.font;
                const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                return room >= context.measureText(input.placeholder).width;
            }"""
        )
        assert fits
        # The table turned into cards: each value comes with its column's name.
        first = page.locator("table.submissions tbody tr").first
        label = first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == f'"{WHEN[language]}"'
    finally:
        context.close()


def _link_style(link):
    return link.evaluate(
        """a => { const s = getComputedStyle(a);
            return {color: s.color, line: s.textDecorationLine, lineColor: s.textDecorationColor,
                    outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), border: s.borderTopStyle}; }"""
    )


def test_links_take_the_admin_s_colours_a_light_underline_and_a_focus_ring(service, browser):
    context = _context(browser, "desktop", "uk", service)
    try:
        page = context.new_page()
        _open(page, service + "/admin/")
        again = page.locator("main section.status a").first
        style = _link_style(again)
        assert style["color"] == BRAND and style["line"] == "underline"
        assert style["lineColor"] != style["color"]  # a lighter line than the text, not the browser's
        again.focus()
        focused = _link_style(again)
        assert focused["lineColor"] == focused["color"] and focused["outline"] == "solid"
        assert focused["outlineWidth"] >= 2
        # The links of a form card are a row of pills rather than underlined text.
        pill = _link_style(page.locator("main p.links a").first)
        assert pill["line"] == "none" and pill["border"] == "solid" and pill["color"] == BRAND
    finally:
        context.close()


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
def test_screenshots_of_the_dashboard_and_the_submissions(service, browser, language):
    screenshots(browser, service, language, (("dashboard", "/admin/"), ("submissions", "/admin/submissions")))


def screenshots(browser, service, language, pages):
    """Save each (name, path) of `pages` at every size in ARTIFACTS, as seen and whole, to be looked at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        context = _context(browser, size, language, service)
        try:
            page = context.new_page()
            for name, path in pages:
                _open(page, f"{service}{path}?lang={language}")
                shot = ARTIFACTS / f"{name}.{language}.{size}.png"
                page.screenshot(path=str(shot))
                page.screenshot(path=str(ARTIFACTS / f"{name}.{language}.{size}.full.png"), full_page=True)
                assert shot.stat().st_size > 5000
        finally:
            context.close()
