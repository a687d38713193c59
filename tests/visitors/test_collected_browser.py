"""Hidden values, chosen groups and typed fields in real Chromium, the form framed by another site."""

import pytest

from tests.conftest import missing_service
from tests.test_browser import HOST_SCRIPT, PAGES, TIMEOUT_MS, Site
from tests.visitors.test_display import AXE, run_axe


def assert_axe_clean(page):
    """Run axe-core on the page and its form's frame; fail on any violation, naming each and where."""
    if not AXE.exists():
        missing_service(f"axe-core at {AXE} (npm ci)")
    violations = run_axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


FORMS = """
[forms.extras]
form_type = "extras"
groups = ["All"]
choose_groups = ["News", "Sales"]
fields = ["email", "size", "birthday", "age", "vip"]
required = ["email"]
allowed_origins = ["{host}"]
finish = "inline"
thanks = "Extras thanks."

[forms.extras.custom_fields]
size = {{ id = 115, type = "select", options = ["S", "M", "L"] }}
birthday = {{ id = 116, type = "date" }}
age = {{ id = 117, type = "number" }}
vip = {{ id = 118, type = "checkbox" }}

[forms.extras.hidden]
utm_source = 111
utm_campaign = 112
page_url = 113
referrer = 114

[forms.paged]
form_type = "paged"
fields = ["email", "size"]
required = ["email", "size"]
allowed_origins = ["{host}"]
[forms.paged.custom_fields]
size = {{ id = 115, type = "select", options = ["S", "M", "L"] }}

[forms.mistakes]
form_type = "mistakes"
choose_groups = ["News", "Sales"]
fields = ["email", "birthday", "age"]
required = ["email"]
allowed_origins = ["{host}"]
consent = "I agree to the [privacy policy](https://shop.example.com/privacy) of the shop."
[forms.mistakes.custom_fields]
birthday = {{ id = 116, type = "date" }}
age = {{ id = 117, type = "number" }}
"""
# What a program (not a person, whom the inputs stop) may send: a number and a date that are
# neither, and a group the form does not list.
MISTAKES = """form => {
  for (const [name, value] of [["age", "many"], ["birthday", "31.02.2026"]]) {
    const input = form.querySelector(`[name=${name}]`);
    input.type = "text";
    input.value = value;
  }
  const box = form.querySelector("input[name=groups]");
  box.value = "Admins";
  box.checked = true;
}"""
OWN_TYPES = """form => {
  form.querySelector("[name=age]").type = "number";
  form.querySelector("[name=birthday]").type = "date";
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("collected"), forms_text=FORMS)
    yield site
    site.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def landmarked(site, path, html):
    """Publish a host page whose content sits in a main landmark, so axe judges only the form."""
    PAGES[path] = (
        f"<!doctype html><html lang='en'><meta charset='utf-8'><title>Shop</title><main><h1>Shop</h1>{html}</main>"
    )
    return site.host + path


def fields_of(payload):
    return {item["id"]: item["value"] for item in payload["contact"].get("fields", [])}


def test_embed_passes_the_host_pages_utm_tags_page_and_referrer(site, page):
    url = site.page("/sale", HOST_SCRIPT + site.script("extras"))
    page.goto(
        url + "?utm_source=newsletter&utm_campaign=spring&email=private@example.com", referer="https://www.google.com/"
    )
    form = page.frame_locator("iframe")
    form.locator("input[name=email]").fill("utm@example.com")
    form.locator("button[type=submit]").click()
    form.locator(".done").wait_for()
    (payload,) = site.stored("extras")
    assert fields_of(payload) == {
        111: "newsletter",
        112: "spring",
        113: url,
        114: "https://www.google.com/",
    }
    frame_url = page.main_frame.child_frames[0].url
    assert "private" not in frame_url  # only UTM tags leave the host page's query


def test_checkboxes_and_each_typed_input_are_used_as_a_person_would(site, page):
    page.goto(site.page("/typed", HOST_SCRIPT + site.script("extras")))
    form = page.frame_locator("iframe")
    form.locator("input[name=email]").fill("typed@example.com")
    form.get_by_label("Size").select_option("M")
    form.get_by_label("Birthday").fill("1990-02-01")
    form.get_by_label("Age").fill("33")
    form.get_by_label("Vip").check()
    form.get_by_label("Sales").check()
    assert form.locator("input[name=birthday]").evaluate("input => input.type") == "date"
    form.locator("button[type=submit]").click()
    form.locator(".done").wait_for()
    payload = next(p for p in site.stored("extras") if p["contact"]["channels"][0]["value"] == "typed@example.com")
    assert {k: v for k, v in fields_of(payload).items() if k in (115, 116, 117, 118)} == {
        115: "M",
        116: "1990-02-01",
        117: "33",
        118: "true",
    }
    assert payload["groups"] == ["All", "Sales"]


def test_a_wrong_number_is_shown_beside_its_input_in_the_inline_form(site, page):
    page.goto(site.page("/wrong", HOST_SCRIPT + site.script("extras")))
    form = page.frame_locator("iframe")
    form.locator("input[name=email]").fill("wrong@example.com")
    # A number input lets only numbers through; a program can still send anything, as here.
    form.locator("input[name=age]").evaluate("input => { input.type = 'text'; input.value = 'many'; }")
    form.locator("button[type=submit]").click()
    assert form.locator("#e-age").inner_text() == "Enter a whole number, like 42."
    assert form.locator("input[name=age]").get_attribute("aria-invalid") == "true"


@pytest.mark.parametrize("state", ["fresh", "errors"])
def test_axe_finds_no_violation_in_the_new_inputs(site, page, state):
    page.goto(landmarked(site, f"/axe-extras-{state}", site.iframe("paged")))
    form = page.frame_locator("iframe")
    form.locator("button[type=submit]").wait_for()
    if state == "errors":
        form.locator("button[type=submit]").click()
        form.locator("#e-size").wait_for()
    assert_axe_clean(page)


def test_axe_finds_no_violation_with_groups_and_typed_inputs(site, page):
    page.goto(landmarked(site, "/axe-extras", site.iframe("extras")))
    page.frame_locator("iframe").locator("fieldset.groups").wait_for()
    assert_axe_clean(page)


@pytest.mark.parametrize("form_id", ["extras", "mistakes"])  # errors drawn by form.js, then by the server
def test_axe_finds_no_violation_in_errors_on_a_date_a_number_and_groups(site, page, form_id):
    page.goto(landmarked(site, f"/axe-mistakes-{form_id}", site.iframe(form_id)))
    form = page.frame_locator("iframe")
    form.locator("input[name=email]").fill("mistakes@example.com")
    form.locator("form").evaluate(MISTAKES)
    form.locator("button[type=submit]").click()
    for name in ("birthday", "age", "groups"):
        form.locator(f"#e-{name}").wait_for()
    assert form.locator("#f-groups").get_attribute("aria-describedby") == "e-groups"
    form.locator("form").evaluate(OWN_TYPES)
    assert_axe_clean(page)


def test_axe_finds_no_violation_in_the_consent_link(site, page):
    page.goto(landmarked(site, "/axe-consent-link", site.iframe("mistakes")))
    link = page.frame_locator("iframe").locator(".consent a")
    assert link.get_attribute("href") == "https://shop.example.com/privacy"
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert_axe_clean(page)
