"""Popup, slide-in and bar in real Chromium on another site: triggers, closing, snooze, focus, events, variants, axe."""

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Submission, VariantViews
from signup.variants import counting
from tests.conftest import missing_service
from tests.test_browser import ARTIFACTS, PAGES, TIMEOUT_MS, Site

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FORMS = """
[forms.pop]
form_type = "pop"
fields = ["email"]
required = ["email"]
allowed_origins = ["{host}"]
finish = "inline"
title = {{ en = "Pop news", uk = "Новини" }}
thanks = "Pop thanks."

[forms.other]
form_type = "other"
fields = ["email"]
allowed_origins = ["{host}"]
finish = "inline"
title = "Other news"

[forms.ab]
form_type = "ab"
fields = ["email"]
allowed_origins = ["{host}"]
finish = "inline"
title = "Plain title"

[forms.ab.variants.b]
title = "Ten percent off"
submit = "Get the code"
form_type = "ab short"
"""
PAGE = """<!doctype html><html lang="{lang}"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Shop</title><script>
window.seen = [];
["ready", "shown", "started", "submitted", "error", "closed"].forEach(function (type) {{
  document.addEventListener("signup:" + type, function (event) {{
    seen.push(Object.assign({{at: performance.now()}}, event.detail));
  }});
}});
window.startedAt = performance.now();
</script>
<body><header><button id="own-close" style="position:fixed;top:0;right:0">Page menu</button></header>
<main><h1>Shop</h1><p><a id="offer" href="#offer-page">Get the offer</a> <button id="other">Other</button></p>
<div style="height:{height}px">Catalogue</div>{body}</main>
</body></html>"""
BOXES = {"popup": "dialog.popup", "slide-in": "dialog.slide-in", "bar": "dialog.bar"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("display"), FORMS)
    yield site
    site.close()


def new_context(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser):
    context = new_context(browser)
    yield context
    context.close()


def publish(site, path, scripts, height=300, lang="en"):
    """Publish a host page on the allowed site with the given script lines; return its URL."""
    PAGES[path] = PAGE.format(body=scripts, height=height, lang=lang)
    return site.host + path


def tag(site, form_id, display, trigger=None, extra=""):
    trigger = f' data-trigger="{trigger}"' if trigger else ""
    source = f'src="{site.service}/embed.js" data-form="{form_id}" data-display="{display}"'
    return f"<script {source}{trigger} {extra}></script>"


def is_open(page, form_id="pop"):
    return page.evaluate("id => window.__signupEmbed.frames.some(e => e.form === id && e.isOpen === true)", form_id)


def wait_open(page, form_id="pop"):
    page.wait_for_function("id => window.__signupEmbed.frames.some(e => e.form === id && e.isOpen)", arg=form_id)


def wait_ready(page, form_id="pop"):
    page.wait_for_function("id => seen.some(d => d.type === 'ready' && d.form === id)", arg=form_id)


def events(page, form_id="pop"):
    return [d["type"] for d in page.evaluate("seen") if d["form"] == form_id]


def box(page, display="popup"):
    return page.locator("signup-form-embed").locator(BOXES[display])


def in_dialog(page):
    """Tell whether the page's focus is in our dialog (the close button or the form inside it)."""
    return page.evaluate("document.activeElement.localName === 'signup-form-embed'")


def form_frame(page, form_id="pop"):
    return next(f for f in page.frames if f"/f/{form_id}" in f.url)


@pytest.mark.parametrize("display", ["popup", "slide-in", "bar"])
def test_each_mode_opens_on_load_with_a_named_close_button_and_closes(site, context, display):
    page = context.new_page()
    page.goto(publish(site, f"/load-{display}", tag(site, "pop", display, "load")))
    wait_open(page)
    dialog = box(page, display)
    assert dialog.get_attribute("aria-label") in ("Sign-up form", "Pop news")
    wait_ready(page)
    assert dialog.get_attribute("aria-label") == "Pop news"
    assert (dialog.get_attribute("aria-modal") == "true") == (display == "popup")
    close = dialog.get_by_role("button", name="Close")
    assert close.count() == 1
    close.click()
    assert not is_open(page) and events(page)[-1] == "closed"
    assert page.evaluate("seen.at(-1).how") == "button"


def test_the_close_button_is_named_in_the_forms_language(site, context):
    page = context.new_page()
    page.goto(publish(site, "/load-uk", tag(site, "pop", "popup", "load", 'data-lang="uk"'), lang="uk"))
    wait_ready(page)
    assert box(page).get_by_role("button", name="Закрити").count() == 1
    assert box(page).get_attribute("aria-label") == "Новини"


def opened_from_the_keyboard(site, context, path):
    """Return a page whose popup a visitor opened with Enter on the page's own #other link."""
    page = context.new_page()
    page.goto(publish(site, path, tag(site, "pop", "popup", "click:#other")))
    wait_ready(page)
    page.focus("#other")
    page.keyboard.press("Enter")
    wait_open(page)
    return page


def test_popup_keyboard_focus_moves_in_stays_in_and_returns(site, context):
    page = opened_from_the_keyboard(site, context, "/keys")
    assert in_dialog(page)
    visited = []
    for _ in range(8):
        page.keyboard.press("Tab")
        # The trap brings focus back on the focus event, a moment after the key: wait for that, not longer.
        try:
            page.wait_for_function("document.activeElement.localName === 'signup-form-embed'", timeout=2000)
        except Exception:
            pytest.fail("focus left the dialog")
        inner = form_frame(page).evaluate("document.hasFocus() ? (document.activeElement.name || '') : ''")
        visited.append(inner)
    assert "email" in visited, visited  # the form inside is reached, and Tab comes back round
    form_frame(page).locator("input[name=email]").focus()
    page.keyboard.press("Escape")  # pressed inside the form's frame: the form tells the page
    page.wait_for_function("!window.__signupEmbed.frames[0].isOpen")
    assert page.evaluate("document.activeElement.id") == "other"
    assert page.evaluate("seen.at(-1).how") == "escape"
    page.keyboard.press("Enter")  # click: opens again, whatever the snooze
    wait_open(page)
    page.keyboard.press("Escape")  # pressed on the close button, in the page itself
    page.wait_for_function("!window.__signupEmbed.frames[0].isOpen")
    assert page.evaluate("document.activeElement.id") == "other"


def focused(page):
    """Name what has the keyboard's focus: "close", a control of the form by its name or type, "frame" (the form's
    page with nothing in it focused), or "outside"."""
    inside = page.evaluate("document.querySelector('signup-form-embed')?.shadowRoot.activeElement?.localName")
    if inside == "button":
        return "close"
    if inside != "iframe":
        return "outside"
    named = "node => node === document.body ? 'frame' : node.name || node.type"
    return form_frame(page).evaluate(f"({named})(document.activeElement)")


def wait_focus(page, expected):
    """Wait for the focus to reach `expected` (focus handed to the form's frame arrives a moment later)."""
    deadline = time.monotonic() + 2
    while focused(page) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert focused(page) == expected


def test_shift_tab_from_the_close_button_reaches_the_forms_last_control(site, context):
    page = opened_from_the_keyboard(site, context, "/shift-tab")
    box(page).get_by_role("button", name="Close").focus()
    # Each press lands on a control: the form's last, back through the form to the close button, and round again.
    presses = [("Shift+Tab", "submit"), ("Shift+Tab", "email"), ("Shift+Tab", "close")] * 2
    presses += [("Tab", "email"), ("Tab", "submit"), ("Tab", "close")]
    for key, then in presses:
        page.keyboard.press(key)
        wait_focus(page, then)


def test_esc_closes_a_slide_in_opened_by_a_click_and_focus_returns_to_the_clicked_element(site, context):
    page = context.new_page()
    page.goto(publish(site, "/side-click", tag(site, "pop", "slide-in", "click:#offer")))
    wait_ready(page)
    page.click("#offer")
    wait_open(page)
    assert focused(page) == "close"  # asked for, it takes the focus
    page.keyboard.press("Escape")
    page.wait_for_function("!window.__signupEmbed.frames[0].isOpen")
    assert page.evaluate("seen.at(-1).how") == "escape"
    assert page.evaluate("document.activeElement.id") == "offer"
    page.click("#offer")
    wait_open(page)
    page.keyboard.press("Tab")
    wait_focus(page, "email")
    page.keyboard.press("Escape")  # pressed in the form: the form tells the page
    page.wait_for_function("!window.__signupEmbed.frames[0].isOpen")
    assert page.evaluate("document.activeElement.id") == "offer"


def test_a_click_outside_the_popup_closes_it(site, context):
    page = context.new_page()
    page.goto(publish(site, "/outside", tag(site, "pop", "popup", "load")))
    wait_open(page)
    page.mouse.click(5, 400)
    page.wait_for_function("!window.__signupEmbed.frames[0].isOpen")
    assert page.evaluate("seen.at(-1).how") == "outside"


def test_the_data_layer_hears_each_step_of_a_slide_in(site, context):
    page = context.new_page()
    page.goto(publish(site, "/layer", tag(site, "pop", "slide-in", "load", "data-datalayer")))
    wait_open(page)
    frame = form_frame(page)
    frame.locator("input[name=email]").fill("not an address")
    frame.locator("button[type=submit]").click()
    page.wait_for_function("seen.some(d => d.type === 'error')")
    frame.locator("input[name=email]").fill("layer@example.com")
    frame.locator("button[type=submit]").click()
    page.wait_for_function("seen.some(d => d.type === 'submitted')")
    box(page, "slide-in").get_by_role("button", name="Close").click()
    layer = page.evaluate("dataLayer")
    assert [entry["event"] for entry in layer] == [
        "signup_form_view",
        "signup_form_shown",
        "signup_form_start",
        "signup_form_error",
        "signup_form_submit",
        "signup_form_close",
    ]
    described = {"signup_form": "pop", "signup_language": "en", "signup_variant": "a", "signup_display": "slide-in"}
    assert all({key: entry.get(key) for key in described} == described for entry in layer), layer


def test_a_slide_in_leaves_the_page_usable(site, context):
    page = context.new_page()
    page.goto(publish(site, "/side", tag(site, "pop", "slide-in", "load")))
    wait_open(page)
    assert not in_dialog(page)  # opened by itself, it does not take the visitor's focus
    page.click("#offer")
    assert page.url.endswith("#offer-page") and is_open(page)
    rect = box(page, "slide-in").bounding_box()
    viewport = page.viewport_size
    assert rect["x"] + rect["width"] <= viewport["width"] and rect["y"] + rect["height"] <= viewport["height"]


def test_delay_counts_from_the_script_and_opens_once(site, context):
    page = context.new_page()
    page.goto(publish(site, "/delay", tag(site, "pop", "popup", "delay:2")))
    wait_open(page)
    shown = page.evaluate("seen.find(d => d.type === 'shown').at - startedAt")
    assert shown >= 2000
    assert events(page).count("shown") == 1


def test_scroll_opens_at_the_share_of_the_page(site, context):
    page = context.new_page()
    page.goto(publish(site, "/scroll", tag(site, "pop", "slide-in", "scroll:50"), height=4000))
    wait_ready(page)
    room = page.evaluate("document.documentElement.scrollHeight - innerHeight")
    page.evaluate(f"scrollTo(0, {int(room * 0.4)})")
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert not is_open(page)
    page.evaluate(f"scrollTo(0, {int(room * 0.6)})")
    wait_open(page)


def test_exit_opens_when_the_pointer_leaves_through_the_top(site, context):
    page = context.new_page()
    page.goto(publish(site, "/exit", tag(site, "pop", "popup", "exit")))
    wait_ready(page)
    page.mouse.move(300, 300)
    page.mouse.move(300, 200)
    assert not is_open(page)
    page.mouse.move(300, -20, steps=4)
    wait_open(page)


def test_exit_on_a_touch_screen_opens_on_a_quick_scroll_back_up(site, browser):
    context = new_context(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(publish(site, "/exit-touch", tag(site, "pop", "popup", "exit"), height=5000))
        wait_ready(page)
        assert page.evaluate("matchMedia('(hover: none)').matches")
        page.evaluate("scrollTo(0, 1500)")
        page.evaluate("new Promise(done => setTimeout(done, 600))")
        assert not is_open(page)
        page.evaluate("scrollTo(0, 1400)")  # a flick is several scroll events in a row
        page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        page.evaluate("scrollTo(0, 1100)")
        wait_open(page)
    finally:
        context.close()


def test_click_opens_on_the_named_element_only(site, context):
    page = context.new_page()
    page.goto(publish(site, "/click", tag(site, "pop", "bar", "click:#offer")))
    wait_ready(page)
    page.click("#other")
    assert not is_open(page)
    page.click("#offer")
    wait_open(page)
    assert not page.url.endswith("#offer-page")  # the click opened the form instead


def test_a_close_snoozes_the_form_for_the_given_days_then_it_shows_again(site, context):
    page = context.new_page()
    url = publish(site, "/snooze", tag(site, "pop", "popup", "load", 'data-snooze="2"'))
    page.goto(url)
    wait_open(page)
    page.keyboard.press("Escape")
    page.goto(url)
    assert page.evaluate("window.__signupEmbed.frames.length") == 0  # snoozed: nothing built, nothing loaded
    assert page.locator("signup-form-embed").count() == 0
    closed = page.evaluate("JSON.parse(localStorage.getItem('signup:pop')).c")
    page.evaluate(f"localStorage.setItem('signup:pop', JSON.stringify({{c: {closed} - 3 * 864e5}}))")
    page.goto(url)
    wait_open(page)


def test_snooze_zero_shows_it_on_every_page_view(site, context):
    page = context.new_page()
    url = publish(site, "/snooze-0", tag(site, "pop", "slide-in", "load", 'data-snooze="0"'))
    page.goto(url)
    wait_open(page)
    box(page, "slide-in").get_by_role("button").click()
    page.goto(url)
    wait_open(page)


def test_after_a_sign_up_the_form_is_never_shown_again(site, context):
    page = context.new_page()
    url = publish(site, "/signed", tag(site, "pop", "popup", "load", 'data-snooze="0"'))
    page.goto(url)
    wait_open(page)
    frame = form_frame(page)
    frame.locator("input[name=email]").fill("popup@example.com")
    frame.locator("button[type=submit]").click()
    assert frame.locator(".done").inner_text() == "Pop thanks."
    page.wait_for_function("seen.some(d => d.type === 'submitted')")
    happened = events(page)
    assert happened.index("shown") < happened.index("started") < happened.index("submitted")
    with site.app.app_context(), db.session() as session:
        stored = session.scalars(select(Submission).where(Submission.contact_key == "popup@example.com")).one()
    assert stored.variant == "a"
    page.goto(url)
    assert page.evaluate("window.__signupEmbed.frames.length") == 0
    assert page.locator("signup-form-embed").count() == 0
    page.goto(publish(site, "/signed-click", tag(site, "pop", "popup", "click:#offer")))
    page.click("#offer")
    assert page.url.endswith("#offer-page")  # the link does its own job; no form opens


# The other form on the same page is in another floating mode: the limit is one for all three.
NEIGHBOUR = {"popup": "bar", "slide-in": "popup", "bar": "slide-in"}


@pytest.mark.parametrize("display", ["popup", "slide-in", "bar"])
def test_one_floating_form_per_page_view_and_a_silent_interval_between_forms(site, context, display):
    page = context.new_page()
    both = tag(site, "pop", display, "load") + tag(site, "other", NEIGHBOUR[display], "load")
    page.goto(publish(site, f"/two-{display}", both))
    wait_open(page, "pop")
    wait_ready(page, "other")
    assert not is_open(page, "other")
    url = publish(site, f"/other-{display}", tag(site, "other", display, "load"))
    page.goto(url)
    wait_ready(page, "other")
    assert not is_open(page, "other")  # within the silent interval after the first form was shown
    page.goto(publish(site, f"/other-{display}-click", tag(site, "other", display, "click:#offer")))
    wait_ready(page, "other")
    page.click("#offer")  # asked for by the visitor: opens within the silent interval too
    wait_open(page, "other")
    last = page.evaluate("JSON.parse(localStorage.getItem('signup:shown')).last")
    assert last[0] == "other"
    page.evaluate(f"localStorage.setItem('signup:shown', JSON.stringify({{last: ['pop', {last[1]} - 181000]}}))")
    page.goto(url)
    wait_open(page, "other")


def test_the_bar_sits_at_the_bottom_and_leaves_room_for_the_page(site, browser):
    context = new_context(browser, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(publish(site, "/bar", tag(site, "pop", "bar", "load")))
        wait_ready(page)
        page.wait_for_function("document.querySelector('signup-form-spacer').offsetHeight > 50")
        rect = box(page, "bar").bounding_box()
        assert rect["x"] == 0 and rect["width"] == 320 and abs(rect["y"] + rect["height"] - 640) <= 1
        assert rect["height"] <= 640 * 0.6 + 1
        spacer = page.evaluate("document.querySelector('signup-form-spacer').offsetHeight")
        assert abs(spacer - rect["height"]) <= 1
        page.click("#own-close")  # the page's own control at the top stays reachable
    finally:
        context.close()


@pytest.mark.parametrize("display", ["popup", "slide-in"])
def test_at_320_px_the_box_fits_the_screen(site, browser, display):
    context = new_context(browser, viewport={"width": 320, "height": 480})
    try:
        page = context.new_page()
        page.goto(publish(site, f"/narrow-{display}", tag(site, "pop", display, "load")))
        wait_ready(page)
        wait_open(page)
        rect = box(page, display).bounding_box()
        assert rect["x"] >= 0 and rect["y"] >= 0
        assert rect["x"] + rect["width"] <= 320 and rect["y"] + rect["height"] <= 480
        assert form_frame(page).evaluate("innerWidth") >= 288
    finally:
        context.close()


def test_reduced_motion_turns_the_opening_animation_off(site, browser):
    for motion, expected in (("reduce", "none"), ("no-preference", "in")):
        context = new_context(browser, reduced_motion=motion)
        try:
            page = context.new_page()
            page.goto(publish(site, f"/motion-{motion}", tag(site, "pop", "popup", "load")))
            wait_open(page)
            assert box(page).evaluate("node => getComputedStyle(node).animationName") == expected
        finally:
            context.close()


# What the page holds with the script loaded, less what the script adds: the same as without the script.
OURS = "signup-form-embed, signup-form-spacer, iframe"
MARKUP = f"""(() => {{
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll("{OURS}").forEach(node => node.remove());
  copy.querySelectorAll("script[data-form]").forEach(node => node.removeAttribute("data-signup-embedded"));
  return copy.outerHTML;
}})()"""
# How the page's root and body look, in the properties a script could change to make room for a form or lock scrolling.
LOOKS = """[document.documentElement, document.body].map(node => {
  const style = getComputedStyle(node);
  return ["overflow", "position", "margin", "padding", "inset", "transform", "filter", "font", "color", "background"]
    .map(name => style.getPropertyValue(name));
})"""


@pytest.mark.parametrize("display", ["inline", "popup", "slide-in", "bar"])
def test_the_host_page_is_untouched_and_nothing_else_is_loaded(site, context, display):
    page = context.new_page()
    url = publish(site, f"/untouched-{display}", tag(site, "pop", display, "load"))
    page.route(f"{site.service}/embed.js", lambda route: route.abort())
    page.goto(url)
    page.wait_for_load_state()
    without = page.evaluate(MARKUP)
    styles = page.evaluate(LOOKS)
    page.unroute(f"{site.service}/embed.js")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    wait_ready(page)
    if display != "inline":
        wait_open(page)
    assert page.evaluate(MARKUP) == without
    assert page.evaluate("document.head.querySelectorAll('style, link').length") == 0
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize") == "32px"
    assert page.evaluate(LOOKS) == styles
    ours = {"inline": [], "popup": ["signup-form-embed"], "slide-in": ["signup-form-embed"]}
    ours["bar"] = ["signup-form-embed", "signup-form-spacer"]
    assert page.evaluate("[...document.body.children].map(node => node.localName)") == [
        "header",
        "main",
        *ours[display],
    ]
    if display == "inline":  # the frame stands right after the tag
        assert page.evaluate("document.querySelector('script[data-form]').nextElementSibling.localName") == "iframe"
    assert all(u.startswith((site.host + "/", site.service + "/")) for u in requests), requests
    assert any(u.startswith(f"{site.service}/f/pop") for u in requests)


def views(site, form_id):
    with site.app.app_context(), db.session() as session:
        rows = session.scalars(select(VariantViews).where(VariantViews.form_id == form_id)).all()
        return {row.variant: row.views for row in rows}


def test_a_visitor_keeps_their_variant_and_each_page_view_counts_once(site, context):
    page = context.new_page()
    url = publish(site, "/ab", tag(site, "ab", "popup", "click:#offer"))
    page.goto(url)
    wait_ready(page, "ab")
    variant = page.evaluate("seen.find(d => d.type === 'ready').variant")
    assert variant in ("a", "b")
    assert views(site, "ab") == {}  # loaded, not yet seen
    page.click("#offer")
    wait_open(page, "ab")
    page.keyboard.press("Escape")
    page.click("#offer")  # seen again in the same page view: still one view
    wait_open(page, "ab")
    page.wait_for_function("seen.filter(d => d.type === 'shown').length === 2")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while views(site, "ab") != {variant: 1} and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert views(site, "ab") == {variant: 1}
    title = "Ten percent off" if variant == "b" else "Plain title"
    for _ in range(3):
        page.goto(url)
        wait_ready(page, "ab")
        assert page.evaluate("seen.find(d => d.type === 'ready').variant") == variant
        assert form_frame(page, "ab").locator("h1").inner_text() == title
    assert json.loads(page.evaluate("localStorage.getItem('signup:ab')"))["v"] == variant


def test_the_sign_up_stores_its_variant_and_its_form_type(site, context):
    page = context.new_page()
    page.goto(site.host + "/ab-b-setup")
    page.evaluate("localStorage.setItem('signup:ab', JSON.stringify({v: 'b'}))")
    page.goto(publish(site, "/ab-b", tag(site, "ab", "slide-in", "load")))
    wait_open(page, "ab")
    frame = form_frame(page, "ab")
    assert "variant=b" in frame.url
    frame.locator("input[name=email]").fill("variant-b@example.com")
    frame.get_by_role("button", name="Get the code").click()
    page.wait_for_function("seen.some(d => d.type === 'submitted' && d.variant === 'b')")
    with site.app.app_context(), db.session() as session:
        stored = session.scalars(select(Submission).where(Submission.contact_key == "variant-b@example.com")).one()
    assert stored.variant == "b" and json.loads(stored.payload)["formType"] == "ab short"


def test_bots_and_prefetches_are_not_counted():
    counted = counting.is_counted
    browser_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"
    assert counted({"User-Agent": browser_agent})
    assert not counted({"User-Agent": browser_agent, "Sec-Purpose": "prefetch;prerender"})
    assert not counted({"User-Agent": browser_agent, "Purpose": "prefetch"})
    assert not counted({"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    assert not counted({"User-Agent": ""})


# axe hears only frames of the page's own origin unless told otherwise, and the form's frame is
# served from another origin than the host page: without this, the form itself went unchecked.
ANY_ORIGIN = "axe.configure({allowedOrigins: ['<unsafe_all_origins>']})"


def run_axe(page):
    """Run axe-core in the page and in the form's frame; return the violations found."""
    for frame in page.frames:
        frame.add_script_tag(path=str(AXE))
        frame.evaluate(ANY_ORIGIN)
    return page.evaluate("axe.run(document, {iframes: true}).then(r => r.violations)")


@pytest.mark.parametrize("display", ["inline", "popup", "slide-in", "bar"])
def test_axe_finds_no_violation_in_any_mode(site, browser, display):
    if not AXE.exists():
        missing_service(f"axe-core at {AXE} (npm ci)")
    context = new_context(browser, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(publish(site, f"/axe-{display}", tag(site, "pop", display, "load")))
        wait_ready(page)
        if display != "inline":
            wait_open(page)
        violations = run_axe(page)
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)])
def test_screenshots_of_each_mode(site, browser, viewport):
    folder = ARTIFACTS / "display"
    folder.mkdir(parents=True, exist_ok=True)
    width, height = viewport
    context = new_context(browser, viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        for display in ("inline", "popup", "slide-in", "bar"):
            page.goto(publish(site, f"/shot-{display}", tag(site, "pop", display, "load"), height=1200))
            wait_ready(page)
            page.wait_for_timeout(400)  # the opening animation and the frame's height
            path = folder / f"{display}.{width}x{height}.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 1000
    finally:
        context.close()
