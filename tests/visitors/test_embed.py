"""Embedding, server side: the embed script, framing and CORS policy, finish modes, themes, weight, contrast."""

import hashlib
import re
from html.parser import HTMLParser

import pytest

from signup.config import ROOT
from signup.forms import catalogue, theme
from signup.visitors import minify
from tests.conftest import FORMS_FILE, form_token, sign_up

STATIC = ROOT / "static"
BUDGET = 15_000  # bytes of HTML + CSS + JS for one form page, uncompressed
EXTRA_FORMS = """
[forms.styled]
form_type = "styled"
fields = ["email"]
allowed_origins = ["https://shop.example.com"]
finish = "inline"
theme = { accent = "#ffcc00", font = "Georgia, 'Times New Roman', serif", radius = "0", scheme = "dark" }

[forms.hidden]
form_type = "hidden"
fields = ["email"]
"""


@pytest.fixture
def settings(settings):
    settings["FORMS"] = {**catalogue.load(FORMS_FILE), **catalogue.load(ROOT / "forms.toml")}
    settings["FORMS"].update(catalogue.parse(EXTRA_FORMS))
    return settings


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, in order."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def page(client, path, **kwargs):
    answer = client.get(path, **kwargs)
    return answer, answer.get_data(as_text=True)


# The embed script


def test_embed_script_is_served_at_its_fixed_address_cacheable_and_cross_origin(client):
    with client.get("/embed.js") as answer:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert "max-age=86400" in answer.headers["Cache-Control"] and "public" in answer.headers["Cache-Control"]
        assert answer.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert "Set-Cookie" not in answer.headers
        assert answer.data == minify.script(STATIC / "embed.js").body
    with client.get("/embed.js", headers={"If-None-Match": answer.headers["ETag"]}) as again:
        assert again.status_code == 304


def test_embed_script_is_served_minified_within_8_kb(client):
    served = client.get("/embed.js").data
    assert len(served) <= 8000, f"embed.js is served as {len(served)} bytes"
    assert b"/*" not in served and b"\n  " not in served
    assert b"signup:" in served and b"attachShadow" in served


def test_embed_script_never_trusts_other_origins():
    script = (STATIC / "embed.js").read_text()
    assert "event.origin !== entry.origin" in script and "event.source !== entry.frame.contentWindow" in script
    assert "signup:" in script and "dataLayer" in script
    assert "window.__signupEmbed ||" in script, "a second copy must reuse the first one's state"


def test_form_script_posts_only_to_named_origins():
    script = (STATIC / "form.js").read_text()
    # One call, whose target is one of the form's allowed origins (see parentOrigins), never "*".
    assert re.findall(r"postMessage\(([^)]*)\)", script) == ["message, origin"]
    assert 'credentials: "omit"' in script


# Framing, CORS, cookies


def test_frame_ancestors_lists_exactly_the_allowed_origins(client):
    answer, _html = page(client, "/f/news")
    policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors https://shop.example.com http://localhost:8000" in policy
    assert "X-Frame-Options" not in answer.headers
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self';" in policy and "default-src 'none'" in policy


def test_a_form_with_no_allowed_origin_cannot_be_framed_at_all(client):
    answer, _html = page(client, "/f/hidden")
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_the_thank_you_and_error_pages_carry_the_same_policy(client):
    thanks = client.get("/f/news/thanks").headers["Content-Security-Policy"]
    refused = client.post("/f/news", data={"email": "x"}).headers["Content-Security-Policy"]
    assert "frame-ancestors https://shop.example.com http://localhost:8000" in thanks
    assert thanks == refused


def test_no_step_of_the_visitor_path_sets_a_cookie(client):
    answers = [client.get("/f/news"), client.get("/api/forms/news"), client.get("/f/news/thanks")]
    answers.append(sign_up(client, "news", email="a@example.com", consent="yes"))
    token = client.get("/api/forms/styled").get_json()["token"]
    answers.append(client.post("/api/forms/styled/submissions", data={"form_token": token, "email": "b@example.com"}))
    assert [a.status_code for a in answers] == [200, 200, 200, 303, 202]
    assert all("Set-Cookie" not in a.headers for a in answers)


def test_the_json_api_answers_cors_for_allowed_origins_and_the_frame_itself(client):
    allowed = client.options("/api/forms/news/submissions", headers={"Origin": "http://localhost:8000"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:8000"
    stranger = client.options("/api/forms/news/submissions", headers={"Origin": "http://localhost:9999"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    # The framed page posts with its own origin (the service's), which is always allowed.
    token = form_token(client, "styled")
    own = client.post(
        "/api/forms/styled/submissions",
        data={"form_token": token, "email": "c@example.com"},
        headers={"Origin": "http://localhost"},
    )
    assert own.status_code == 202


def test_the_embedding_site_is_named_to_the_page_only_when_allowed(client):
    _answer, html = page(client, "/f/news", headers={"Referer": "http://localhost:8000/shop/page"})
    assert 'data-parent="http://localhost:8000"' in html
    _answer, html = page(client, "/f/news", headers={"Referer": "https://evil.example/"})
    assert "data-parent" not in html


def test_page_assets_have_versioned_urls_cached_for_good(client):
    _answer, html = page(client, "/f/news")
    css = re.search(r'href="(/assets/form\.css\?v=[0-9a-f]{12})"', html).group(1)
    js = re.search(r'src="(/assets/form\.js\?v=[0-9a-f]{12})" defer', html).group(1)
    for url in (css, js):
        with client.get(url) as answer:
            assert "immutable" in answer.headers["Cache-Control"]
            # The URL names the bytes it serves, so a cache may keep them under it for good.
            assert url.endswith("?v=" + hashlib.sha256(answer.data).hexdigest()[:12])
    with client.get("/static/form.css") as answer:
        assert "immutable" not in answer.headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("name", "made", "mimetype"),
    [("form.css", minify.stylesheet, "text/css"), ("form.js", minify.script, "text/javascript")],
)
def test_the_page_stylesheet_and_script_are_served_minified_with_an_etag(client, name, made, mimetype):
    served = made(STATIC / name)
    assert len(served.body) < 0.9 * (STATIC / name).stat().st_size
    assert b"/*" not in served.body and b"\n  " not in served.body
    with client.get(f"/assets/{name}") as answer:
        assert answer.status_code == 200 and answer.data == served.body
        assert answer.headers["Content-Type"] == f"{mimetype}; charset=utf-8"
        assert "Set-Cookie" not in answer.headers and "immutable" not in answer.headers["Cache-Control"]
    with client.get(f"/assets/{name}", headers={"If-None-Match": answer.headers["ETag"]}) as again:
        assert again.status_code == 304


def test_an_asset_asked_for_with_another_hash_is_answered_but_never_kept(client):
    """A page of another release (a rolling deploy) may ask for a hash this process does not serve."""
    for url in ("/assets/form.js?v=0123456789ab", "/static/favicon.svg?v=0123456789ab"):
        with client.get(url) as answer:
            assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache", url
    assert client.get("/assets/embed.js").status_code == 404
    assert client.get("/assets/admin.css").status_code == 404


# Finishing a sign-up


@pytest.mark.parametrize(
    ("extra", "finish"),
    [("", "page"), ('redirect_url = "https://a.example/t"', "redirect"), ('finish = "inline"', "inline")],
)
def test_finish_defaults_to_the_thank_you_page_or_the_redirect(extra, finish):
    text = f'[forms.x]\nform_type = "x"\nfields = ["email"]\nallowed_origins = ["https://a.example"]\n{extra}\n'
    assert catalogue.parse(text)["x"].finish == finish


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('finish = "popup"', "forms.x.finish: expected one of page, redirect, inline, got 'popup'"),
        ('finish = "redirect"', "forms.x.finish: is redirect, so redirect_url is needed"),
        (
            'finish = "inline"\nredirect_url = "https://a.example/t"',
            "forms.x.redirect_url: is used only with finish = redirect (finish is inline)",
        ),
        ('redirect_url = "javascript:alert(1)"', "forms.x.redirect_url: must be an absolute http:// or https:// URL"),
        ('redirect_url = "data:text/html,hi"', "forms.x.redirect_url: must be an absolute http:// or https:// URL"),
    ],
)
def test_finish_mistakes_stop_the_start(extra, expected):
    text = f'[forms.x]\nform_type = "x"\nfields = ["email"]\nallowed_origins = ["https://a.example"]\n{extra}\n'
    with pytest.raises(catalogue.CatalogueError) as info:
        catalogue.parse(text)
    assert info.value.problems == [expected]


def test_the_page_tells_its_script_how_to_finish(client):
    _answer, html = page(client, "/f/styled")
    (form,) = Tags(html).find("form")
    assert form["data-finish"] == "inline" and form["data-api"] == "/api/forms/styled/submissions"
    _answer, html = page(client, "/f/away")
    (form,) = Tags(html).find("form")
    assert form["data-finish"] == "redirect" and form["data-redirect"] == "https://shop.example.com/thanks"


def test_an_inline_form_without_javascript_still_ends_on_the_thank_you_page(client):
    answer = sign_up(client, "styled", email="d@example.com")
    assert (answer.status_code, answer.headers["Location"]) == (303, "/f/styled/thanks?lang=en&to=d***@example.com")


def test_pages_name_the_event_their_script_reports(client):
    _answer, html = page(client, "/f/news/thanks")
    assert Tags(html).find("body")[0]["data-event"] == "submitted"
    html = client.post("/f/news", data={"form_token": form_token(client, "news")}).get_data(as_text=True)
    body = Tags(html).find("body")[0]
    assert (body["data-event"], body["data-fields"]) == ("error", "email consent")


# Themes


def test_a_theme_is_one_inline_style_allowed_by_its_hash(client):
    answer, html = page(client, "/f/styled")
    style = re.search(r"<style>(.*?)</style>", html).group(1)
    form = catalogue.parse(EXTRA_FORMS)["styled"]
    assert style == form.theme.css and "--accent:#ffcc00;--on-accent:#000000" in style
    assert f"style-src 'self' {form.theme.style_hash};" in answer.headers["Content-Security-Policy"]
    assert Tags(html).find("html")[0]["data-scheme"] == "dark"


def test_the_default_look_has_no_inline_style_and_no_style_attributes(client):
    for form_id in ("news", "full", "styled", "webinar"):
        _answer, html = page(client, f"/f/{form_id}")
        assert ' style="' not in html
        assert all(attrs.get("src") for attrs in Tags(html).find("script"))
    assert "<style>" not in page(client, "/f/news")[1]


def _palette(css, selector):
    block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css).group(1)
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-f]{6})", block))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_default_colours_meet_wcag_aa(scheme):
    css = (STATIC / "form.css").read_text()
    colours = _palette(css, ":root")
    if scheme == "dark":
        colours.update(_palette(css, "[data-scheme=dark]"))
        assert _palette(css, "[data-scheme=auto]") == _palette(css, "[data-scheme=dark]")
    text_pairs = [("text", "bg"), ("text", "field-bg"), ("muted", "bg"), ("error", "bg"), ("error", "field-bg")]
    text_pairs.append(("on-accent", "accent"))
    for fore, back in text_pairs:
        ratio = theme.contrast(colours[f"--{fore}"], colours[f"--{back}"])
        assert ratio >= 4.5, f"{scheme}: {fore} on {back} is {ratio:.2f}:1"
    for fore, back in (("border", "field-bg"), ("focus", "bg"), ("error", "bg")):
        ratio = theme.contrast(colours[f"--{fore}"], colours[f"--{back}"])
        assert ratio >= 3, f"{scheme}: {fore} against {back} is {ratio:.2f}:1"


def test_the_minified_stylesheet_keeps_the_palettes():
    css, served = (STATIC / "form.css").read_text(), minify.stylesheet(STATIC / "form.css").body.decode()
    for selector in (":root", "[data-scheme=dark]", "[data-scheme=auto]"):
        assert _palette(served, selector) == _palette(css, selector) != {}, selector


# Weight and outside requests


def page_weight(client, path):
    """Return the bytes of a page plus every stylesheet, script and icon it links, and those links."""
    html = client.get(path).data
    links = re.findall(rb'(?:href|src)="(/(?:static|assets)/[^"]+)"', html)
    weight = len(html)
    for link in links:
        with client.get(link.decode()) as answer:
            weight += len(answer.data)
    return weight, links


def test_every_form_page_stays_within_the_weight_budget(client, app):
    heaviest = (0, "")
    for form in app.extensions["signup.forms"].values():
        for language in ("uk", "ru", "en"):
            weight, links = page_weight(client, f"/f/{form.id}?lang={language}")
            assert len(links) == 3  # the icon, the stylesheet and the script
            heaviest = max(heaviest, (weight, f"{form.id}.{language}"))
    assert heaviest[0] <= BUDGET, f"{heaviest[1]} weighs {heaviest[0]} bytes"


def test_the_page_asks_nothing_of_other_sites_and_loads_no_web_font(client):
    html = client.get("/f/webinar").get_data(as_text=True)
    css = (STATIC / "form.css").read_text()
    assert not re.search(r'(?:href|src)="(?:https?:)?//', html)
    assert "@font-face" not in css and "@import" not in css and "url(" not in css
    assert "font-src" not in client.get("/f/webinar").headers["Content-Security-Policy"]


# Accessibility of the markup


def test_every_control_is_labelled_and_the_trap_is_out_of_reach(client):
    _answer, html = page(client, "/f/full")
    tags = Tags(html)
    labelled = {attrs["for"] for attrs in tags.find("label")}
    for attrs in tags.find("input"):
        if attrs["type"] != "hidden":
            assert attrs["id"] in labelled
    (trap,) = tags.find("div", **{"class": "trap"})
    assert trap["aria-hidden"] == "true" and "inert" in trap
    (honeypot,) = tags.find("input", name="website")
    assert honeypot["tabindex"] == "-1" and honeypot["autocomplete"] == "off"


def test_errors_are_linked_to_their_fields_and_summarised_with_focus(client):
    html = client.post("/f/news", data={"form_token": form_token(client, "news"), "email": "x"}).get_data(as_text=True)
    tags = Tags(html)
    (summary,) = tags.find("div", id="error-summary")
    assert summary["tabindex"] == "-1" and "autofocus" in summary and summary["role"] == "alert"
    ids = {attrs.get("id") for _tag, attrs in tags.tags}
    invalid = [attrs for attrs in tags.find("input") if attrs.get("aria-invalid") == "true"]
    assert [attrs["name"] for attrs in invalid] == ["email", "consent"]
    assert all(attrs["aria-describedby"] in ids for attrs in invalid)
    assert [attrs["href"] for attrs in tags.find("a")] == ["#f-email", "#f-consent"]
