"""The form as visitors meet it: in real Chromium, framed by another site, by iframe and by script."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from signup import create_app, db
from signup.config import ROOT
from signup.db import Consent, Submission
from signup.forms import catalogue
from signup.ops import refusals
from tests.conftest import CHROMIUM, LAUNCH_ARGS, SECRET, _settings

ARTIFACTS = ROOT / "test-artifacts"
LANGUAGES = ("uk", "ru", "en")
TIMEOUT_MS = 5000

FORMS = """
[forms.page]
form_type = "page"
fields = ["email", "first_name"]
required = ["email"]
allowed_origins = ["{host}"]
consent = {{ en = "I agree to receive the newsletter.", uk = "Я погоджуюся отримувати розсилку." }}
title = "Our newsletter"

[forms.inline]
form_type = "inline"
fields = ["email", "first_name"]
required = ["email"]
allowed_origins = ["{host}"]
finish = "inline"
thanks = "Inline thanks."

[forms.away]
form_type = "away"
fields = ["email"]
required = ["email"]
allowed_origins = ["{host}"]
redirect_url = "{host}/landed"

[forms.dusk]
form_type = "dusk"
fields = ["email"]
required = ["email"]
allowed_origins = ["{host}"]
theme = {{ scheme = "auto" }}

[forms.closed]
form_type = "closed"
fields = ["email"]
allowed_origins = ["https://shop.example.com"]
"""

PAGES = {}  # path -> HTML, served by both of the other sites
HOST_PAGE = "<!doctype html><html lang='en'><meta charset='utf-8'><title>Shop</title><body><h1>Shop</h1>{}</body>"
# What the host page hears: DOM events from the embed script, and every message that reaches the window.
HOST_SCRIPT = """<script>
window.seen = [];
window.messages = [];
["ready", "resize", "submitted", "error"].forEach(function (type) {
  document.addEventListener("signup:" + type, function (event) { seen.push(event.detail); });
});
window.addEventListener("message", function (event) { messages.push({origin: event.origin, data: event.data}); });
</script>"""


class _Host(BaseHTTPRequestHandler):
    """Serves the other sites' pages from PAGES, and a probe of the browser's third-party cookie policy."""

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/probe":
            return self._probe()
        body = PAGES.get(path, HOST_PAGE.format("<p>Landed.</p>")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def _probe(self):
        kept = "probe=1" in (self.headers.get("Cookie") or "")
        body = b"kept" if kept else b"new"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if not kept:
            self.send_header("Set-Cookie", "probe=1; SameSite=None; Secure; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args):
        pass


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


class Site:
    """The form service on 127.0.0.1 and two other sites on localhost: one allowed, one a stranger."""

    def __init__(self, tmp, forms_text=FORMS, **settings_given):
        self.host_server = _serve(ThreadingHTTPServer(("127.0.0.1", 0), _Host))
        self.stranger_server = _serve(ThreadingHTTPServer(("127.0.0.1", 0), _Host))
        self.host = f"http://localhost:{self.host_server.server_port}"
        self.stranger = f"http://localhost:{self.stranger_server.server_port}"
        forms = catalogue.load(ROOT / "forms.toml")
        forms.update(catalogue.parse(forms_text.format(host=self.host)))
        settings = _settings("sqlite", tmp)
        settings.update({"FORMS": forms, "FORM_MIN_FILL_SECONDS": 0, **settings_given})
        self.app = create_app(settings, environ={"SECRET_KEY": SECRET})
        with self.app.app_context():
            db.migrate()
        self.app_server = _serve(make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_QuietHandler))
        self.service = f"http://127.0.0.1:{self.app_server.server_port}"

    def page(self, path, html):
        """Publish `html` at `path` on both other sites and return its URL on the allowed one."""
        PAGES[path] = HOST_PAGE.format(html)
        return self.host + path

    def iframe(self, form_id, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        src = f"{self.service}/f/{form_id}" + (f"?{query}" if query else "")
        return f'<iframe src="{src}" title="Sign up" style="width:28rem;height:40rem;border:0"></iframe>'

    def script(self, form_id, extra=""):
        return f'<script src="{self.service}/embed.js" data-form="{form_id}" {extra} async></script>'

    def stored(self, form_id):
        with self.app.app_context(), db.session() as session:
            rows = session.scalars(select(Submission).where(Submission.form_id == form_id)).all()
            return [json.loads(row.payload) for row in rows]

    def close(self):
        for server in (self.app_server, self.host_server, self.stranger_server):
            server.shutdown()
            server.server_close()
        self.app.extensions["signup.engine"].dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("browser"))
    yield site
    site.close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def block_third_party_cookies(context, page):
    """Block third-party cookies for `page` explicitly, whatever the browser's default."""
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCookieControls", {"enableThirdPartyCookieRestriction": True})


def cookie_in_frame_survives(site, page):
    """Tell whether a cookie set inside a cross-site frame comes back on the frame's next load."""
    probe = f"http://127.0.0.1:{site.host_server.server_port}/probe"
    url = site.page("/cookie-probe", f'<iframe src="{probe}" title="probe"></iframe>')
    for _ in range(2):
        page.goto(url)
        text = page.frame_locator("iframe").locator("body").inner_text()
    return text == "kept"


def frame_of(page):
    """Return the form's frame (the page's only child frame) as it is now."""
    (frame,) = page.main_frame.child_frames
    return frame


def fill_and_send(frame, email, first_name="Ada", consent=True):
    frame.locator("input[name=email]").fill(email)
    frame.locator("input[name=first_name]").fill(first_name)
    if consent:
        frame.locator("input[name=consent]").check()
    frame.locator("button[type=submit]").click()


def emails(site, form_id):
    return [payload["contact"]["channels"][0]["value"] for payload in site.stored(form_id)]


def types(page, key="seen"):
    if key == "seen":
        return [detail["type"] for detail in page.evaluate("seen")]
    return [message["data"].get("type") for message in page.evaluate("messages")]


def test_iframe_on_another_site_signs_up_with_third_party_cookies_blocked(site, context):
    page = context.new_page()
    block_third_party_cookies(context, page)
    assert not cookie_in_frame_survives(site, page)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site.page("/blocked", HOST_SCRIPT + site.iframe("page")))
    form = page.frame_locator("iframe")
    fill_and_send(form, "blocked@example.com")
    assert "check your inbox" in form.locator(".done").inner_text()
    assert "blocked@example.com" in emails(site, "page")
    page.wait_for_function("messages.some(m => m.data.type === 'submitted')")
    assert {m["origin"] for m in page.evaluate("messages")} == {site.service}
    assert types(page, "messages")[:1] == ["ready"]
    framed = [url for url in requests if not url.startswith(site.host)]
    assert framed and all(url.startswith(site.service + "/") for url in framed), framed
    assert not [url for url in framed if re.search(r"\.(woff2?|ttf|otf)\b", url)]


def test_sign_up_with_third_party_cookies_allowed(site, browser, tmp_path):
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps({"profile": {"cookie_controls_mode": 0}}))
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
    )
    try:
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        assert cookie_in_frame_survives(site, page)
        page.goto(site.page("/allowed", HOST_SCRIPT + site.script("page")))
        form = page.frame_locator("iframe")
        fill_and_send(form, "allowed@example.com")
        form.locator(".done").wait_for()
        page.wait_for_function("seen.some(d => d.type === 'submitted')")
        assert "allowed@example.com" in emails(site, "page")
    finally:
        context.close()


def frame_height(page):
    return page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")


def content_height(page):
    return frame_of(page).evaluate("document.documentElement.getBoundingClientRect().height")


def wait_for_height_to_follow(page):
    page.wait_for_function(
        "h => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - h) <= 1",
        arg=content_height(page),
    )
    return frame_height(page)


def test_script_embed_follows_the_content_height_and_relays_every_event(site, context):
    page = context.new_page()
    page.goto(site.page("/script", HOST_SCRIPT + site.script("inline", "data-datalayer")))
    page.wait_for_function("seen.some(d => d.type === 'ready')")
    first = wait_for_height_to_follow(page)
    assert first != 360  # the script's starting height: the form's own report replaced it
    assert page.evaluate("document.querySelector('iframe').title") == "Subscribe"
    form = page.frame_locator("iframe")
    form.locator("button").click()
    form.locator("#error-summary").wait_for()
    assert frame_of(page).evaluate("document.activeElement.id") == "error-summary"
    taller = wait_for_height_to_follow(page)
    assert taller > first + 40
    form.locator("input[name=email]").fill("inline@example.com")
    form.locator("button").click()
    assert form.locator(".done").inner_text() == "Inline thanks."
    shorter = wait_for_height_to_follow(page)
    assert shorter < first
    assert "inline@example.com" in emails(site, "inline")
    assert frame_of(page).url.startswith(f"{site.service}/f/inline")  # finished without navigating
    seen = page.evaluate("seen")
    assert [t for t in types(page) if t != "resize"] == ["ready", "error", "submitted"]
    assert next(d for d in seen if d["type"] == "error")["fields"] == ["email"]
    assert all(d["form"] == "inline" for d in seen)
    layer = [entry["event"] for entry in page.evaluate("dataLayer")]
    assert [event for event in layer if event not in ("signup_form_shown", "signup_form_start")] == [
        "signup_form_view",
        "signup_form_error",
        "signup_form_submit",
    ]
    assert layer.count("signup_form_shown") == 1 and layer.count("signup_form_start") == 1


def test_the_consent_record_names_the_host_page_without_its_query(site, context):
    page = context.new_page()
    page.goto(site.page("/offers", HOST_SCRIPT + site.script("page")) + "?email=private@example.com")
    fill_and_send(page.frame_locator("iframe"), "consent@example.com")
    page.frame_locator("iframe").locator(".done").wait_for()
    with site.app.app_context(), db.session() as session:
        (record,) = session.scalars(select(Consent).where(Consent.contact_key == "consent@example.com")).all()
    assert record.text == "I agree to receive the newsletter."
    assert record.page_url == site.host + "/offers"


def test_including_the_script_twice_gives_one_frame_per_tag_and_each_event_once(site, context):
    page = context.new_page()
    html = HOST_SCRIPT + site.script("inline") + "<p>between</p>" + site.script("page", 'data-lang="uk"')
    page.goto(site.page("/twice", html))
    page.wait_for_function("seen.filter(d => d.type === 'ready').length === 2")
    assert page.locator("iframe").count() == 2
    assert sorted(d["form"] + ":" + d["language"] for d in page.evaluate("seen") if d["type"] == "ready") == [
        "inline:en",
        "page:uk",
    ]
    assert page.evaluate("window.__signupEmbed.frames.length") == 2


def test_javascript_off_the_framed_form_still_signs_up(site, browser):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(site.page("/nojs", site.iframe("page", lang="uk")))
        form = page.frame_locator("iframe")
        form.locator("button").click()
        assert "Виправте" in form.locator("#error-summary").inner_text()
        assert form.locator("#f-email").get_attribute("aria-describedby") == "e-email"
        fill_and_send(form, "nojs@example.com")
        form.locator(".done").wait_for()
        assert "nojs@example.com" in emails(site, "page")
        assert site.stored("page")[-1]["contact"]["languageCode"] == "uk"
    finally:
        context.close()


def test_javascript_off_the_error_summary_takes_focus_on_its_own_page(site, browser):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{site.service}/f/page")
        page.locator("button").click()
        page.locator("#error-summary").wait_for()
        assert page.locator("#error-summary:focus").count() == 1
    finally:
        context.close()


FORGER = """<script>
setInterval(function () {
  parent.postMessage({signup: 1, type: "submitted", form: "inline", language: "en"}, "*");
}, 20);
</script>"""


def test_only_messages_from_our_frame_reach_the_host_page(site, context):
    forger = site.page("/forger", FORGER).replace(site.host, site.stranger)
    html = HOST_SCRIPT + site.script("inline") + f'<iframe src="{forger}" title="other"></iframe>'
    page = context.new_page()
    page.goto(site.page("/forged", html))
    page.wait_for_function("seen.some(d => d.type === 'ready')")
    page.evaluate("window.postMessage({signup: 1, type: 'submitted', form: 'inline'}, '*')")
    page.wait_for_function(f"messages.filter(m => m.origin === '{site.stranger}').length >= 5")
    assert "submitted" not in types(page)


def refused_frames(page, count):
    """Wait until `count` frames have settled, and return how many the browser refused to show."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    # Playwright learns of frame navigations only while it is called, so wait through it.
    while len([f for f in page.main_frame.child_frames if f.url]) < count and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert len(page.main_frame.child_frames) == count, [f.url for f in page.main_frame.child_frames]
    return len([f for f in page.main_frame.child_frames if f.url.startswith("chrome-error:")])


def test_a_site_that_is_not_allowed_cannot_frame_the_form(site, context):
    page = context.new_page()
    html = HOST_SCRIPT + site.iframe("inline") + site.iframe("closed")
    page.goto(site.page("/framer", html).replace(site.host, site.stranger))
    assert refused_frames(page, 2) == 2
    assert page.evaluate("messages") == []
    page.goto(site.page("/closed", HOST_SCRIPT + site.iframe("closed") + site.iframe("inline")))
    assert refused_frames(page, 2) == 1  # the allowed site, with a form that lists only another one
    page.wait_for_function("messages.length > 0")
    assert {m["data"]["form"] for m in page.evaluate("messages")} == {"inline"}


def test_events_never_go_to_a_site_that_is_not_allowed(site, context):
    # A browser that ignores frame-ancestors is imitated by removing the header on the way in.
    page = context.new_page()

    def without_policy(route):
        answer = route.fetch()
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-security-policy"}
        route.fulfill(response=answer, headers=headers)

    page.route(f"{site.service}/f/**", without_policy)
    page.goto(site.page("/stranger", HOST_SCRIPT + site.iframe("inline")).replace(site.host, site.stranger))
    form = page.frame_locator("iframe")
    form.locator("input[name=email]").fill("stranger@example.com")
    form.locator("button").click()
    form.locator(".done").wait_for()
    frame_of(page).evaluate("new Promise(done => setTimeout(done, 100))")
    assert page.evaluate("messages") == []
    assert "stranger@example.com" in emails(site, "inline")


def test_redirect_finish_takes_the_whole_page_to_the_allowed_address(site, context):
    page = context.new_page()
    page.goto(site.page("/to-redirect", HOST_SCRIPT + site.iframe("away")))
    form = page.frame_locator("iframe")
    form.locator("input[name=email]").fill("away@example.com")
    form.locator("button").click()
    page.wait_for_url(f"{site.host}/landed")
    assert "away@example.com" in emails(site, "away")


def focused(page):
    return frame_of(page).evaluate("(document.activeElement.name || document.activeElement.id || '')")


def focus_reaches(page, name):
    """Wait until focus crosses into the form's frame and lands on `name`; a key press crosses it a moment later."""
    frame_of(page).wait_for_function(
        "name => (document.activeElement.name || document.activeElement.id || '') === name", arg=name, timeout=2000
    )
    return focused(page)


def test_keyboard_only_sign_up(site, context):
    page = context.new_page()
    page.goto(site.page("/keys", HOST_SCRIPT + site.script("page")))
    page.wait_for_function("seen.some(d => d.type === 'ready')")
    page.keyboard.press("Tab")
    assert focus_reaches(page, "email") == "email"
    page.keyboard.press("Enter")
    page.wait_for_function("seen.some(d => d.type === 'error')")
    assert focused(page) == "error-summary"
    visited = []
    for keys in ("Tab", "Tab", "Tab"):
        page.keyboard.press(keys)
        visited.append(focused(page))
    assert visited[-1] == "email", visited  # the summary's two links, then the first field
    page.keyboard.type("keys@example.com")
    for action in ("Tab", "Ada", "Tab", "Space", "Tab"):
        if action in ("Tab", "Space"):
            page.keyboard.press(action)
            visited.append(focused(page))
        else:
            page.keyboard.type(action)
    assert visited[-4:] == ["first_name", "consent", "consent", ""] and "website" not in visited
    assert frame_of(page).evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.frame_locator("iframe").locator(".done").wait_for()
    assert emails(site, "page")[-1] == "keys@example.com"


def test_screenshots_of_each_example_form_in_each_language(site, browser):
    folder = ARTIFACTS / "forms"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 480, "height": 400})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        for form in catalogue.load(ROOT / "forms.toml").values():
            for language in LANGUAGES:
                page.goto(f"{site.service}/f/{form.id}?lang={language}")
                title = form.text("title", language)
                if title:
                    assert page.locator("h1").inner_text() == title
                assert page.locator("html").get_attribute("lang") == language
                path = folder / f"{form.id}.{language}.png"
                page.screenshot(path=str(path), full_page=True)
                page.locator("button[type=submit]").click()
                page.locator("#error-summary").wait_for()
                page.screenshot(path=str(folder / f"{form.id}.{language}.errors.png"), full_page=True)
                assert path.stat().st_size > 1000
    finally:
        context.close()


def test_the_auto_scheme_follows_the_visitors_dark_preference(site, browser):
    context = browser.new_context(color_scheme="dark", viewport={"width": 480, "height": 300})
    try:
        page = context.new_page()
        page.goto(f"{site.service}/f/dusk?lang=en")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(27, 28, 31)"
        page.locator("button").click()
        page.locator("#error-summary").wait_for()
        page.screenshot(path=str(ARTIFACTS / "forms" / "default-theme.dark.errors.png"), full_page=True)
        page.emulate_media(color_scheme="light")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    finally:
        context.close()


def watch_console(page):
    """Collect the page's console errors, uncaught exceptions and failed loads as text."""
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on(
        "response", lambda answer: problems.append(f"{answer.status}: {answer.url}") if answer.status >= 400 else None
    )
    return problems


def icon_of(page):
    """Fetch the page's icon as the browser would and return (status, content type)."""
    href = page.evaluate("document.querySelector('link[rel=icon]').href")
    answer = page.request.get(href)
    return answer.status, answer.headers["content-type"]


def test_the_form_and_thank_you_pages_load_without_a_console_error(site, context):
    page = context.new_page()
    problems = watch_console(page)
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto(f"{site.service}/f/page?lang=uk")
    page.wait_for_timeout(200)  # the icon is fetched after the load event
    fill_and_send(page, "console@example.com")
    page.wait_for_url(f"{site.service}/f/page/thanks*")
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "pages" / "thanks.uk.png"))
    assert problems == [], problems
    assert all(url.startswith(site.service + "/") for url in loaded), loaded
    assert icon_of(page) == (200, "image/svg+xml; charset=utf-8")
    assert page.request.get(f"{site.service}/favicon.ico").status == 200


def test_the_thank_you_page_has_a_heading_and_its_message(site, context):
    page = context.new_page()
    page.goto(f"{site.service}/f/page/thanks?lang=uk")
    assert page.locator("h1").inner_text() == "Our newsletter"  # the form's own title
    assert page.locator("[role=status]").inner_text()
    page.goto(f"{site.service}/f/inline/thanks?lang=uk")  # a form without a title of its own
    assert page.locator("h1").inner_text() == "Дякуємо"
    assert page.locator("[role=status]").inner_text() == "Inline thanks."


def test_an_error_page_applies_its_stylesheet(site, context):
    page = context.new_page()
    problems = watch_console(page)
    answer = page.goto(f"{site.service}/f/no-such-form?lang=en")
    assert answer.status == 404
    assert page.locator("[role=alert]").inner_text() == "There is no such form."
    # form.css centres .signup in a 28rem column with 1rem padding; unstyled, it would be neither.
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('main')); return [s.maxWidth, s.paddingTop]; })()"
    )
    assert style == ["448px", "16px"]
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "pages" / "error-404.png"))
    expected = {f"404: {answer.url}", "failed to load resource: the server responded with a status of 404 (not found)"}
    assert {p.lower() if p.startswith("Failed to load") else p for p in problems} <= expected, problems


def test_the_admin_shows_refused_webhook_calls_at_phone_and_desktop_widths(site, browser):
    with site.app.test_request_context():
        for _ in range(4):
            refusals.record("newsletter", "webhook", 401, "Missing or wrong token: add ?token=... to the URL.")
        refusals.record("newsletter", "webhook", 422, "No email or phone was found. Name the plugin's field email.")
        refusals.record("newsletter", "api", 403, "This address takes sign-ups from visitors' browsers.")
        refusals.flush()
    folder = ARTIFACTS / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1280, 800)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{site.service}/admin/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "admin-pass")
        page.click("button[type=submit]")
        page.wait_for_url(f"{site.service}/admin/")
        table = page.locator("#form-newsletter .refused-calls table")
        assert table.locator("tbody tr").count() == 3
        table.scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(folder / f"refusals.{width}.png"))
        context.close()


def test_a_form_filled_in_faster_than_a_token_allows_is_sent_once_it_may(tmp_path, context):
    """Autofill can beat the minimum fill time: the script holds the form until its token may be sent."""
    quick = Site(tmp_path, FORM_MIN_FILL_SECONDS=2)
    try:
        page = context.new_page()
        page.goto(quick.page("/autofill", HOST_SCRIPT + quick.script("page")))
        page.wait_for_function("seen.some(d => d.type === 'ready')")
        fill_and_send(frame_of(page), "quick@example.com")
        page.frame_locator("iframe").locator(".done").wait_for(timeout=8000)
        assert page.frame_locator("iframe").locator("#error-summary").count() == 0
        assert "error" not in types(page)
        assert emails(quick, "page") == ["quick@example.com"]
    finally:
        quick.close()
