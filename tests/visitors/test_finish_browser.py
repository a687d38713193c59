"""The finished sign-up in real Chromium: the thank-you page and the inline finish, in each example form's theme."""

import dataclasses

import pytest

from signup.config import ROOT
from signup.forms import catalogue
from tests.conftest import missing_service
from tests.test_browser import ARTIFACTS, PAGES, TIMEOUT_MS, Site
from tests.visitors.test_display import AXE, run_axe

EXAMPLES = tuple(catalogue.load(ROOT / "forms.toml"))
LANGUAGES = ("en", "uk", "ru")
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("finish"))
    forms = site.app.extensions["signup.forms"]
    # Each example form again, finishing inline and framed by the test's host site.
    for form_id in EXAMPLES:
        forms[f"inline-{form_id}"] = dataclasses.replace(
            forms[form_id], id=f"inline-{form_id}", finish="inline", redirect_url=None, allowed_origins=(site.host,)
        )
    yield site
    site.close()


def new_page(browser, size="desktop", **options):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def host_page(site, path, form_id, lang):
    PAGES[path] = (
        f"<!doctype html><html lang='{lang}'><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
        f"<title>Shop</title><main><h1>Shop</h1><p>Our catalogue.</p>"
        f'<script src="{site.service}/embed.js" data-form="inline-{form_id}" data-lang="{lang}" async></script></main>'
    )
    return site.host + path


def fill_in(frame, email="ada.lovelace@gmail.com"):
    """Fill every visible input as a person would, tick every box, and send."""
    for box in frame.locator("input[type=email]").all():
        box.fill(email)
    for box in frame.locator("input[type=tel]").all():
        box.fill("050 123 45 67")
    for box in frame.locator(".field input[type=text]").all():
        box.fill("Ada")
    for box in frame.locator("select").all():
        box.select_option(index=1)
    for box in frame.locator("input[type=checkbox]").all():
        box.check()
    frame.locator("button[type=submit]").click()


def test_the_inline_finish_shows_the_masked_address_the_inbox_and_the_way_back(site, browser):
    context, page = new_page(browser)
    try:
        url = host_page(site, "/inline-finish", "newsletter", "en")
        page.goto(url)
        frame = page.frame_locator("iframe")
        fill_in(frame)
        frame.locator(".finish").wait_for()
        assert frame.locator(".sent-to").inner_text() == "The email goes to a***@gmail.com."
        assert frame.locator("a.open-inbox").get_attribute("href").startswith("https://mail.google.com/")
        assert frame.locator("a.open-inbox").get_attribute("rel") == "noopener"
        assert frame.locator("a.back").get_attribute("href") == url
        assert frame.locator(".done").evaluate("node => node === document.activeElement")
        assert "ada.lovelace" not in page.main_frame.child_frames[0].url
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_inline_finish_speaks_the_forms_language(site, browser, lang):
    context, page = new_page(browser)
    try:
        page.goto(host_page(site, f"/inline-lang-{lang}", "newsletter", lang))
        frame = page.frame_locator("iframe")
        fill_in(frame, email="olena@ukr.net")
        frame.locator(".finish").wait_for()
        expected = {"en": "Open ukr.net", "uk": "Відкрити ukr.net", "ru": "Открыть ukr.net"}[lang]
        assert frame.locator("a.open-inbox").inner_text().startswith(expected)
    finally:
        context.close()


@pytest.mark.parametrize("state", ["page", "inline"])
def test_axe_finds_no_violation_in_the_finish(site, browser, state):
    if not AXE.exists():
        missing_service(f"axe-core at {AXE} (npm ci)")
    context, page = new_page(browser, bypass_csp=True)
    try:
        if state == "page":
            page.goto(f"{site.service}/f/newsletter/thanks?lang=uk&to=a***@gmail.com&back=https://shop.example.com/")
        else:
            page.goto(host_page(site, "/axe-finish", "newsletter", "en"))
            fill_in(page.frame_locator("iframe"))
            page.frame_locator("iframe").locator(".finish").wait_for()
        violations = run_axe(page)
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_of_the_finish_in_each_example_forms_theme(site, browser, size):
    folder = ARTIFACTS / "finish"
    folder.mkdir(parents=True, exist_ok=True)
    context, page = new_page(browser, size)
    try:
        for form_id in EXAMPLES:
            for lang in LANGUAGES:
                query = f"lang={lang}&to=a***@gmail.com&back=https://shop.example.com/"
                page.goto(f"{site.service}/f/{form_id}/thanks?{query}")
                page.screenshot(path=str(folder / f"thanks.{form_id}.{lang}.{size}.png"))
                page.goto(host_page(site, f"/shot-{form_id}-{lang}", form_id, lang))
                frame = page.frame_locator("iframe")
                fill_in(frame)
                frame.locator(".finish").wait_for()
                page.wait_for_timeout(150)  # the frame follows its new height
                page.screenshot(path=str(folder / f"inline.{form_id}.{lang}.{size}.png"))
    finally:
        context.close()
