"""A consent text's Markdown link: rendered as a link, the rest escaped, checked at start, recorded as shown."""

import dataclasses

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Consent
from signup.forms import catalogue, consent_link
from tests.conftest import sign_up

POLICY = "I agree to the [privacy policy](https://shop.example.com/privacy?a=1&b=2)."


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            POLICY,
            'I agree to the <a href="https://shop.example.com/privacy?a=1&amp;b=2" target="_blank" rel="noopener">'
            "privacy policy</a>.",
        ),
        ("No link <b>here</b> & there.", "No link &lt;b&gt;here&lt;/b&gt; &amp; there."),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        (
            '[<img src=x onerror=alert(1)>](https://a.example/")',
            "[&lt;img src=x onerror=alert(1)&gt;](https://a.example/&#34;)",
        ),
        (
            "<i>[it](https://a.example/p)</i>",
            '&lt;i&gt;<a href="https://a.example/p" target="_blank" rel="noopener">it</a>&lt;/i&gt;',
        ),
    ],
)
def test_one_link_is_a_link_and_everything_else_is_escaped(text, html):
    assert str(consent_link.render(text)) == html


@pytest.mark.parametrize(
    ("consent", "named"),
    [
        ('"[a](https://a.example) and [b](https://b.example)"', "forms.x.consent: may hold one Markdown link at most"),
        ('{ en = "ok", uk = "[політика](ftp://a.example)" }', "forms.x.consent.uk: its link must look like"),
    ],
)
def test_a_consent_with_a_bad_link_stops_the_start(consent, named):
    with pytest.raises(catalogue.CatalogueError) as caught:
        catalogue.parse(f'[forms.x]\nform_type = "x"\nfields = ["email"]\nconsent = {consent}\n')
    assert named in str(caught.value)


@pytest.mark.parametrize(
    ("consent", "named"),
    [
        ('"[a](https://a.example) and [b](https://b.example)"', "forms.x.variants.b.consent: may hold one Markdown"),
        ('{ en = "ok", ru = "[политика](ftp://a.example)" }', "forms.x.variants.b.consent.ru: its link must look like"),
    ],
)
def test_a_variants_consent_is_checked_as_the_forms_own(consent, named):
    form = f'[forms.x]\nform_type = "x"\nfields = ["email"]\nconsent = "{POLICY}"\n'
    with pytest.raises(catalogue.CatalogueError) as caught:
        catalogue.parse(f"{form}[forms.x.variants.b]\nconsent = {consent}\n")
    assert named in str(caught.value)
    assert catalogue.parse(f'{form}[forms.x.variants.b]\nconsent = "{POLICY}"\n')["x"].variants["b"].consent


@pytest.mark.both_databases
def test_the_form_shows_the_link_and_the_record_keeps_the_text_as_shown(app, client):
    forms = app.extensions["signup.forms"]
    forms["news"] = dataclasses.replace(forms["news"], consent=catalogue.Text({"*": POLICY}))
    html = client.get("/f/news").get_data(as_text=True)
    assert (
        '<a href="https://shop.example.com/privacy?a=1&amp;b=2" target="_blank" rel="noopener">privacy policy</a>'
        in html
    )
    assert sign_up(client, "news", email="ada@example.com", consent="yes").status_code == 303
    with app.app_context(), db.session() as session:
        (record,) = session.scalars(select(Consent)).all()
    assert record.text == POLICY
