"""Webhook intake: tokens, formats, answers, and a realistic request from each WordPress form plugin."""

import base64
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as explore
from hypothesis import strategies as st
from sqlalchemy import select

from signup import db
from signup.db import Submission
from signup.forms import catalogue
from tests.conftest import FORMS_FILE
from tests.wordpress import FORM, WORDPRESS_AGENT, http_build_query, wp_json_encode, wpforms_signature

TOKEN = "hook-secret-123"
FORM_TOKEN = "wp-shop-token-7Hq2xLm9Pz"
WPFORMS_SECRET = "c0ffee7d1b2a4f5e8c9d0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5"
WORDPRESS_FORMS = f"""
[forms.shop]
form_type = "shop signup"
fields = ["email", "phone", "first_name", "last_name", "city"]
phone_region = "UA"
language = "uk"
webhook_tokens = ["{FORM_TOKEN}"]
wpforms_secret = "{WPFORMS_SECRET}"

[forms.shop.custom_fields]
city = 777

[forms.shop.webhook_fields]
qh4icy = "first_name"
ocfup1 = "last_name"
"Місто доставки" = "city"
"""


@pytest.fixture(autouse=True)
def wordpress_forms(settings):
    settings["FORMS"] = {**catalogue.load(FORMS_FILE), **catalogue.parse(WORDPRESS_FORMS)}


def rows(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission)).all()


def contacts(app):
    return [json.loads(row.payload)["contact"] for row in rows(app)]


def channels(contact):
    return {c["type"]: c["value"] for c in contact["channels"]}


def post_form(client, url, data, **kwargs):
    headers = {"User-Agent": WORDPRESS_AGENT, **kwargs.pop("headers", {})}
    return client.post(url, data=http_build_query(data), content_type=FORM, headers=headers, **kwargs)


@pytest.mark.parametrize(
    "auth",
    [
        {"query_string": {"token": TOKEN}},
        {"headers": {"X-Webhook-Token": TOKEN}},
        {"headers": {"Authorization": f"Bearer {TOKEN}"}},
        {"headers": {"Authorization": "Basic " + base64.b64encode(f"wp:{TOKEN}".encode()).decode()}},
    ],
)
def test_each_token_placement_is_accepted_with_200(app, client, auth):
    answer = client.post("/hooks/news", json={"email": "a@example.com", "first_name": "Ada"}, **auth)
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "accepted"
    (row,) = rows(app)
    assert row.source == "webhook"
    assert json.loads(row.payload)["contact"]["firstName"] == "Ada"


@pytest.mark.parametrize("auth", [{}, {"query_string": {"token": "wrong"}}, {"headers": {"Authorization": "Bearer x"}}])
def test_missing_or_wrong_token_is_401_and_nothing_is_stored(app, client, auth):
    answer = client.post("/hooks/news", json={"email": "a@example.com"}, **auth)
    assert answer.status_code == 401
    assert "token" in answer.get_json()["error"]
    assert rows(app) == []


def test_webhooks_refuse_when_no_token_is_configured(app, client):
    app.config["WEBHOOK_TOKEN"] = ""
    answer = client.post("/hooks/news", json={"email": "a@example.com"}, query_string={"token": ""})
    assert answer.status_code == 401 and "WEBHOOK_TOKEN" in answer.get_json()["error"]


@pytest.mark.both_databases
def test_form_encoded_get_and_trailing_slash_all_work_without_redirect(app, client):
    assert client.post("/hooks/news", data={"email": "a@example.com", "token": TOKEN}).status_code == 401
    assert client.post(f"/hooks/news?token={TOKEN}", data={"email": "a@example.com"}).status_code == 200
    assert client.get("/hooks/news", query_string={"token": TOKEN, "email": "b@example.com"}).status_code == 200
    assert client.post(f"/hooks/news/?token={TOKEN}", json={"email": "c@example.com"}).status_code == 200
    assert sorted(r.contact_key for r in rows(app)) == ["a@example.com", "b@example.com", "c@example.com"]


def test_consent_is_the_plugin_form_s_business(app, client):
    assert client.post(f"/hooks/news?token={TOKEN}", json={"email": "a@example.com"}).status_code == 200


def test_invalid_input_is_422_with_reasons(app, client):
    answer = client.post(f"/hooks/news?token={TOKEN}", json={"email": "nope", "first_name": "A!"})
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"email", "first_name"}
    assert rows(app) == []


def test_unknown_form_is_404_json(client):
    answer = client.post(f"/hooks/nope?token={TOKEN}", json={"email": "a@example.com"})
    assert answer.status_code == 404 and answer.is_json


def test_unreadable_body_is_422(client):
    answer = client.post(f"/hooks/news?token={TOKEN}", data=b"{oops", content_type="application/json")
    assert answer.status_code == 422 and answer.get_json()["error"] == "The body is not valid JSON."


@pytest.mark.parametrize("body", ["[" * 50000, "7", "null", '"text"', "[]", '["a"]', '{"a": {"b": {"c": [[[]]]}}}'])
def test_odd_json_is_422_not_a_crash(client, body):
    answer = client.post(f"/hooks/news?token={TOKEN}", data=body, content_type="application/json")
    assert answer.status_code == 422 and answer.get_json()["error"]


# --- Elementor Pro ---------------------------------------------------------------------------------

ELEMENTOR_SIMPLE = {
    "Ім'я": "Олена Петренко",
    "Електронна пошта": "olena.petrenko@example.com",
    "Телефон": "050 123 45 67",
    "Місто доставки": "Львів",
    "Згода на розсилку": "on",
    "Date": "5 червня 2025",
    "Time": "11:30",
    "Page URL": "https://shop.example.com/pidpyska/",
    "User Agent": "Mozilla/5.0 (X11; Linux x86_64)",
    "Remote IP": "203.0.113.7",
    "Powered by": "Elementor",
    "form_id": "3f5c2a1",
    "form_name": "Підписка",
}


def test_elementor_simple_labels_are_recognised_and_mapped(app, client):
    answer = post_form(client, f"/hooks/shop?token={FORM_TOKEN}", ELEMENTOR_SIMPLE)
    assert answer.status_code == 200 and answer.location is None
    assert answer.get_json()["format"] == "elementor"
    (contact,) = contacts(app)
    assert channels(contact) == {"email": "olena.petrenko@example.com", "sms": "+380501234567"}
    assert (contact["firstName"], contact["lastName"]) == ("Олена", "Петренко")
    assert contact["fields"] == [{"id": 777, "value": "Львів"}]
    assert contact["languageCode"] == "uk"


def test_elementor_simple_with_no_label_keys(app, client):
    data = {"Name": "Ada King Lovelace", "No Label email_1": "ada@example.com", "form_id": "9a8b", "form_name": "News"}
    assert post_form(client, f"/hooks/news?token={TOKEN}", data).status_code == 200
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"], channels(contact)) == (
        "Ada King",
        "Lovelace",
        {"email": "ada@example.com"},
    )


ELEMENTOR_ADVANCED = {
    "form": {"id": "3f5c2a1", "name": "Newsletter"},
    "fields": {
        "name": {
            "id": "name",
            "type": "text",
            "title": "Ім'я",
            "value": "Ірина",
            "raw_value": "Ірина",
            "required": True,
        },
        "field_7c2d": {"id": "field_7c2d", "type": "text", "title": "Прізвище", "value": "Ткач", "raw_value": "Ткач"},
        "field_5a1c": {
            "id": "field_5a1c",
            "type": "email",
            "title": "Куди надсилати",
            "value": "Iryna.Tkach@Example.COM",
            "raw_value": "Iryna.Tkach@Example.COM",
            "required": True,
        },
        "topics": {
            "id": "topics",
            "type": "checkbox",
            "title": "Теми",
            "value": "Новини, Знижки",
            "raw_value": ["Новини", "Знижки"],
            "required": False,
        },
    },
    "meta": {
        "date": {"title": "Date", "value": "June 5, 2025"},
        "remote_ip": {"title": "Remote IP", "value": "203.0.113.7"},
    },
}


def test_elementor_advanced_data_uses_titles_and_field_types(app, client):
    answer = post_form(client, f"/hooks/news?token={TOKEN}", ELEMENTOR_ADVANCED)
    assert answer.status_code == 200
    (contact,) = contacts(app)
    assert channels(contact) == {"email": "Iryna.Tkach@example.com"}
    assert (contact["firstName"], contact["lastName"]) == ("Ірина", "Ткач")


def test_a_name_esputnik_would_refuse_is_left_out_and_the_contact_kept(app, client):
    data = {"Name": "<b>Ada</b>", "Email": "ada@example.com", "form_id": "3f5c2a1", "form_name": "News"}
    answer = post_form(client, f"/hooks/news?token={TOKEN}", data)
    assert answer.status_code == 200
    assert list(answer.get_json()["left_out"]) == ["first_name"]
    (contact,) = contacts(app)
    assert "firstName" not in contact and channels(contact) == {"email": "ada@example.com"}


# --- Contact Form 7 + CF7 to Webhook ---------------------------------------------------------------


def test_cf7_to_webhook_json_with_a_custom_header(app, client):
    body = {
        "ip": "203.0.113.12",
        "your-name": "Тарас Шевченко",
        "your-email": "taras@example.com",
        "tel-731": "+380671234567",
        "city": "Канів",
        "checkbox-12": ["Новини", "Знижки"],
        "acceptance-1": "1",
        "your-message": "Привіт!\r\nЧекаю на новини.",
    }
    answer = client.post(
        "/hooks/full",
        data=wp_json_encode(body),
        content_type="application/json; charset=UTF-8",
        headers={"X-Webhook-Token": TOKEN, "User-Agent": WORDPRESS_AGENT},
    )
    assert answer.status_code == 200 and answer.get_json()["format"] == "plain"
    (contact,) = contacts(app)
    assert set(contact) == {"channels", "firstName", "lastName", "fields", "languageCode"}
    assert (contact["firstName"], contact["lastName"]) == ("Тарас", "Шевченко")
    assert channels(contact) == {"email": "taras@example.com", "sms": "+380671234567"}
    assert contact["fields"] == [{"id": 12345, "value": "Канів"}]


def test_cf7_custom_templates_arrive_as_text(app, client):
    url = f"/hooks/news?token={TOKEN}"
    good = client.post(url, data='{"email": "a@example.com"}', content_type="text/plain")
    assert good.status_code == 200
    broken = client.post(url, data="email=a@example.com, name=Ada", content_type="text/plain; charset=UTF-8")
    assert broken.status_code == 422 and broken.get_json()["error"] == "The body is not valid JSON."


# --- WPForms Webhooks ------------------------------------------------------------------------------

WPFORMS_BODY = {
    "name": "Олена Коваль",
    "email": "olena.koval@example.com",
    "page": "https://shop.example.com/promo/",
    "entry_id": "42",
    "when": {"value": "06/05/2025 2:30 pm", "unix": 1749133800},
}


def wpforms_headers(payload, secret=WPFORMS_SECRET, stamp=None, **extra):
    return {
        "User-Agent": "wpforms-webhooks/1.4.0",
        "X-WPForms-Webhook-Id": "1",
        "X-WPForms-Webhook-Signature": wpforms_signature(secret, payload, stamp),
        **extra,
    }


def post_wpforms_json(client, body=WPFORMS_BODY, **signing):
    raw = wp_json_encode(body)
    headers = wpforms_headers(raw, **signing)
    return client.post("/hooks/shop", data=raw, content_type="application/json; charset=utf-8", headers=headers)


def test_wpforms_json_with_a_valid_signature_needs_no_token_and_counts_once(app, client):
    first = post_wpforms_json(client)
    assert first.status_code == 200 and first.get_json()["format"] == "wpforms"
    again = post_wpforms_json(client)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["duplicate"] is True
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"]) == ("Олена", "Коваль")
    assert channels(contact) == {"email": "olena.koval@example.com"}


@pytest.mark.parametrize(
    ("signing", "reason"),
    [
        # The form's language is Ukrainian, so the plugin's log reads the reason in Ukrainian.
        ({"secret": "some-other-secret"}, "не збігається"),
        ({"stamp": int(time.time()) - 3600}, "застарів"),
    ],
)
def test_wpforms_with_a_wrong_or_stale_signature_is_401(app, client, signing, reason):
    answer = post_wpforms_json(client, **signing)
    assert answer.status_code == 401 and reason in answer.get_json()["error"]
    assert rows(app) == []


def test_wpforms_form_format_is_verified_against_its_json_encoding(app, client):
    body = {"first": "Ада", "last": "Лавлейс", "email": "ada@example.com", "site": "https://shop.example.com/a/"}
    headers = wpforms_headers(wp_json_encode(body), **{"Content-Type": f"{FORM}; charset=utf-8"})
    answer = client.post("/hooks/shop", data=http_build_query(body), headers=headers)
    assert answer.status_code == 200
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"]) == ("Ада", "Лавлейс")


def test_wpforms_default_get_is_verified_too(app, client):
    body = {"name": "Ada Lovelace", "email": "ada@example.com"}
    answer = client.get(f"/hooks/shop?{http_build_query(body)}", headers=wpforms_headers(wp_json_encode(body)))
    assert answer.status_code == 200
    assert contacts(app)[0]["lastName"] == "Lovelace"


def test_a_form_with_a_wpforms_secret_still_takes_tokens_from_other_plugins(app, client):
    assert (
        client.post("/hooks/shop", json={"email": "a@example.com"}, headers={"X-Webhook-Token": FORM_TOKEN}).status_code
        == 200
    )
    assert client.post("/hooks/shop", json={"email": "a@example.com"}).status_code == 401


# --- Gravity Forms Webhooks ------------------------------------------------------------------------

GRAVITY_ENTRY = {
    "id": "118",
    "status": "active",
    "form_id": "3",
    "ip": "203.0.113.9",
    "source_url": "https://shop.example.com/subscribe/",
    "currency": "UAH",
    "post_id": None,
    "date_created": "2025-06-05 11:30:12",
    "date_updated": "2025-06-05 11:30:12",
    "is_starred": 0,
    "is_read": 0,
    "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    "payment_status": None,
    "payment_amount": None,
    "transaction_id": None,
    "created_by": "1",
    "1.2": "",
    "1.3": "Ірина",
    "1.4": "",
    "1.6": "Бондаренко",
    "1.8": "",
    "2": "iryna.bondarenko@example.com",
    "3": "(067) 765-43-21",
    "4.1": "вул. Городоцька, 15",
    "4.2": "",
    "4.3": "Львів",
    "4.4": "Львівська",
    "4.5": "79000",
    "4.6": "Україна",
    "5.1": "Так",
}


def gravity_contact(app):
    (contact,) = contacts(app)
    return contact["firstName"], contact["lastName"], channels(contact)


EXPECTED_GRAVITY = ("Ірина", "Бондаренко", {"email": "iryna.bondarenko@example.com", "sms": "+380677654321"})


def test_gravity_forms_entry_object_as_json_with_bearer(app, client):
    answer = client.post(
        "/hooks/shop",
        data=wp_json_encode(GRAVITY_ENTRY),
        content_type="application/json",
        headers={"Authorization": f"Bearer {FORM_TOKEN}", "User-Agent": WORDPRESS_AGENT},
    )
    assert answer.status_code == 200 and answer.get_json()["format"] == "gravity"
    assert gravity_contact(app) == EXPECTED_GRAVITY


def test_gravity_forms_form_format_keeps_dotted_keys(app, client):
    answer = post_form(client, "/hooks/shop", GRAVITY_ENTRY, headers={"Authorization": f"Bearer {FORM_TOKEN}"})
    assert answer.status_code == 200
    assert gravity_contact(app) == EXPECTED_GRAVITY


# --- Fluent Forms ----------------------------------------------------------------------------------

FLUENT = {
    "names": {"first_name": "Марія", "middle_name": "", "last_name": "Коваленко"},
    "email": "maria.kovalenko@example.com",
    "phone": "+380931234567",
    "checkbox": ["Новини", "Акції"],
    "__submission": {
        "id": "57",
        "form_id": "4",
        "serial_number": "12",
        "source_url": "https://shop.example.com/kontakty/",
        "user_id": "0",
        "status": "unread",
        "is_favourite": "0",
        "browser": "Chrome",
        "device": "Linux",
        "ip": "203.0.113.44",
        "city": None,
        "payment_total": None,
        "created_at": "2025-06-05 11:31:00",
        "updated_at": "2025-06-05 11:31:00",
        "user_inputs": {"names": "Марія Коваленко", "email": "maria.kovalenko@example.com"},
    },
}


def test_fluent_forms_default_get_with_nested_names(app, client):
    answer = client.get(
        f"/hooks/full?token={TOKEN}&{http_build_query(FLUENT)}", headers={"User-Agent": WORDPRESS_AGENT}
    )
    assert answer.status_code == 200 and answer.get_json()["format"] == "fluentforms"
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"]) == ("Марія", "Коваленко")
    assert channels(contact) == {"email": "maria.kovalenko@example.com", "sms": "+380931234567"}
    assert "fields" not in contact  # __submission[city] is the plugin's, not the custom field city


@pytest.mark.both_databases
def test_fluent_forms_retrying_four_times_stores_once(app, client):
    answers = [
        client.post(
            f"/hooks/full?token={TOKEN}",
            data=json.dumps(FLUENT),
            content_type="application/json",
            headers={"User-Agent": WORDPRESS_AGENT},
        )
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert [a.get_json().get("duplicate", False) for a in answers] == [False, True, True, True]
    (row,) = rows(app)
    assert row.dedupe_key.startswith("full|fluentforms|")


def test_fluent_forms_entries_with_different_ids_are_both_stored(app, client):
    other = {**FLUENT, "email": "grace@example.com", "__submission": {**FLUENT["__submission"], "id": "58"}}
    for body in (FLUENT, other):
        assert client.post(f"/hooks/full?token={TOKEN}", json=body).status_code == 200
    assert len(rows(app)) == 2


def test_two_entries_of_one_address_within_minutes_make_one_call(app, client):
    other = {**FLUENT, "__submission": {**FLUENT["__submission"], "id": "58"}}
    ids = {client.post(f"/hooks/full?token={TOKEN}", json=body).get_json()["id"] for body in (FLUENT, other)}
    assert len(ids) == 1 and len(rows(app)) == 1


# --- Ninja Forms Webhooks --------------------------------------------------------------------------


def test_ninja_forms_default_get_args(app, client):
    args = {"email": "petro@example.com", "name": "Петро Іваненко"}
    assert client.get(f"/hooks/news?token={TOKEN}&{http_build_query(args)}").status_code == 200
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"]) == ("Петро", "Іваненко")


def test_ninja_forms_json_as_a_single_post_variable(app, client):
    args = {"Email": "petro@example.com", "Прізвище": "Іваненко", "Ім'я": "Петро"}
    assert post_form(client, f"/hooks/news?token={TOKEN}", {"json": wp_json_encode(args)}).status_code == 200
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"]) == ("Петро", "Іваненко")


def test_ninja_forms_get_with_json_on_sends_one_json_variable(app, client):
    query = http_build_query({"nf_data": wp_json_encode({"e-mail": "petro@example.com"})})
    assert client.get(f"/hooks/news?token={TOKEN}&{query}").status_code == 200
    assert channels(contacts(app)[0]) == {"email": "petro@example.com"}


# --- Formidable API --------------------------------------------------------------------------------

FORMIDABLE_ROW = {
    "id": "311",
    "item_key": "k7x2p",
    "name": "Оксана",
    "description": json.dumps({"browser": "Mozilla/5.0", "referrer": "https://shop.example.com/"}),
    "ip": "203.0.113.80",
    "form_id": "6",
    "post_id": "0",
    "user_id": "0",
    "parent_item_id": "0",
    "is_draft": "0",
    "updated_by": "0",
    "created_at": "2025-06-05 11:40:02",
    "updated_at": "2025-06-05 11:40:02",
    "qh4icy": "Оксана",
    "ocfup1": "Мельник",
    "29yf4d": "oksana.melnyk@example.com",
    "n0d3x": "+380 66 555 44 33",
    "ry5ak": "Щотижня",
    "ry5ak-value": "weekly",
}


def basic(credentials):
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


def post_formidable(client, rows_sent, credentials=f"wp:{FORM_TOKEN}", **headers):
    return client.post(
        "/hooks/shop",
        data=wp_json_encode(rows_sent),
        content_type="application/json",
        headers={"User-Agent": WORDPRESS_AGENT, **basic(credentials), **headers},
    )


@pytest.mark.parametrize("credentials", [f"wp:{FORM_TOKEN}", f"{FORM_TOKEN}:x"])
def test_formidable_json_array_with_http_basic_and_a_mapping(app, client, credentials):
    answer = post_formidable(client, [FORMIDABLE_ROW], credentials)
    assert answer.status_code == 200 and answer.get_json()["format"] == "formidable"
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"]) == ("Оксана", "Мельник")
    assert channels(contact) == {"email": "oksana.melnyk@example.com", "sms": "+380665554433"}
    assert "fields" not in contact


def test_formidable_form_format_and_a_repeat_count_once(app, client):
    first = post_form(client, "/hooks/shop", [FORMIDABLE_ROW], headers=basic(f"wp:{FORM_TOKEN}"))
    again = post_formidable(client, [FORMIDABLE_ROW])
    assert first.status_code == again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(rows(app)) == 1


def test_formidable_test_connection_answers_200_and_stores_nothing(app, client):
    answer = post_formidable(client, {"test": True}, **{"X-Hook-Test": "true"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"
    assert post_formidable(client, {"test": True}, "wp:wrong", **{"X-Hook-Test": "true"}).status_code == 401
    assert rows(app) == []


def test_formidable_drafts_are_not_signed_up(app, client):
    answer = post_formidable(client, [{**FORMIDABLE_ROW, "is_draft": "1"}])
    assert answer.status_code == 200 and answer.get_json()["status"] == "ignored"
    assert rows(app) == []


# --- MetForm ---------------------------------------------------------------------------------------

METFORM_ENTRIES = {
    "mf-listing-fname": "Андрій",
    "mf-listing-lname": "Савчук",
    "mf-email": "andriy.savchuk@example.com",
    "mf-telephone": "+380501112233",
    "mf-switch": "on",
}


def metform_body(entry_id="781", **entries):
    return {
        "entries": wp_json_encode({**METFORM_ENTRIES, **entries}),
        "entry_id": entry_id,
        "form_id": "55",
        "version": "4.1.5",
        "file_uploads": "[]",
        "referrer_url": "https://shop.example.com/znyzhky/",
    }


def test_metform_entries_as_a_json_string(app, client):
    answer = post_form(client, f"/hooks/full?token={TOKEN}", metform_body())
    assert answer.status_code == 200 and answer.get_json()["format"] == "metform"
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"]) == ("Андрій", "Савчук")
    assert channels(contact) == {"email": "andriy.savchuk@example.com", "sms": "+380501112233"}


def test_metform_counts_an_entry_id_once_and_without_one_stores_each(app, client):
    deliveries = [("781", {}), ("781", {}), ("", {"mf-email": "a@example.com"}), ("", {"mf-email": "b@example.com"})]
    for entry_id, entries in deliveries:
        answer = post_form(client, f"/hooks/full?token={TOKEN}", metform_body(entry_id, **entries))
        assert answer.status_code == 200
    assert len(rows(app)) == 3


def test_metform_entries_that_are_not_json_get_422(app, client):
    answer = post_form(client, f"/hooks/full?token={TOKEN}", {**metform_body(), "entries": "{broken"})
    assert answer.status_code == 422 and "entries" in answer.get_json()["error"]


# --- JetFormBuilder --------------------------------------------------------------------------------


def test_jetformbuilder_call_webhook(app, client):
    body = {
        "name": "Софія Ткаченко",
        "email": "sofia@example.com",
        "phone": "+380 44 123 45 67",
        "interests": ["design", "sales"],
        "__form_id": "120",
        "__refer": "https://shop.example.com/landing/",
        "__is_ajax": True,
    }
    answer = post_form(client, f"/hooks/full?token={TOKEN}", body)
    assert answer.status_code == 200 and answer.get_json()["format"] == "jetformbuilder"
    (contact,) = contacts(app)
    assert (contact["firstName"], contact["lastName"]) == ("Софія", "Ткаченко")
    assert channels(contact) == {"email": "sofia@example.com", "sms": "+380441234567"}


# --- Other servers, authentication, refusals, logs -------------------------------------------------


def test_another_server_can_make_retries_safe_with_an_idempotency_key(app, client):
    headers = {"X-Webhook-Token": TOKEN, "Idempotency-Key": "order-2025-0605-17"}
    ids = {client.post("/hooks/news", json={"email": "a@example.com"}, headers=headers).get_json()["id"] for _ in "ab"}
    assert len(ids) == 1 and len(rows(app)) == 1


def test_a_form_s_own_token_opens_only_that_form(app, client):
    assert client.post(f"/hooks/shop?token={FORM_TOKEN}", json={"email": "a@example.com"}).status_code == 200
    assert client.post(f"/hooks/news?token={FORM_TOKEN}", json={"email": "a@example.com"}).status_code == 401


def test_no_contact_found_is_422_listing_the_keys_received(app, client):
    answer = post_form(
        client, f"/hooks/news?token={TOKEN}", {"Повідомлення": "Привіт", "form_id": "1", "form_name": "x"}
    )
    assert answer.status_code == 422
    body = answer.get_json()
    assert "webhook_fields" in body["error"] and body["received_keys"] == ["Повідомлення"]
    assert rows(app) == []


def test_an_invalid_email_is_still_refused_with_the_reason(app, client):
    answer = client.post(f"/hooks/news?token={TOKEN}", json={"your-email": "ada(at)example.com"})
    assert answer.status_code == 422 and "email" in answer.get_json()["errors"]


def test_tokens_never_reach_the_log(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(f"/hooks/news?token={TOKEN}", json={"email": "a@example.com"})
    client.post("/hooks/news?token=guess-wrong-9f8e7d", json={"email": "a@example.com"})
    client.post("/hooks/shop", json={"email": "x"}, headers=basic(f"wp:{FORM_TOKEN}"))
    assert caplog.records
    assert not any(secret in caplog.text for secret in (TOKEN, FORM_TOKEN, "guess-wrong-9f8e7d"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
FORM_KEYS = st.text(alphabet="ab01[]._ email", min_size=1, max_size=16)


@explore(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON_VALUES)
def test_no_json_body_gets_a_5xx(client, body):
    answer = client.post(f"/hooks/full?token={TOKEN}", json=body)
    assert answer.status_code in (200, 422)


@explore(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(FORM_KEYS, st.text(max_size=20)), max_size=8))
def test_no_form_body_or_query_gets_a_5xx(client, pairs):
    encoded = urlencode(pairs)
    assert client.post(f"/hooks/full?token={TOKEN}", data=encoded, content_type=FORM).status_code in (200, 422)
    assert client.get(f"/hooks/full?token={TOKEN}&{encoded}").status_code in (200, 422)


def test_a_head_request_checks_the_url_but_stores_nothing(app, client):
    assert client.head(f"/hooks/news?token={TOKEN}&email=a@example.com").status_code == 200
    assert client.head("/hooks/news?token=wrong&email=a@example.com").status_code == 401
    assert rows(app) == []
