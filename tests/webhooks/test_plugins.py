"""Recognising each plugin's payload shape: items, labels, the plugin's own data, entry ids."""

import json
from urllib.parse import parse_qsl

import pytest
from werkzeug.datastructures import Headers

from signup.webhooks import brackets, plugins
from tests.wordpress import http_build_query


def from_wire(data):
    """Return data as the server reads it back from PHP's form encoding."""
    flat = {}
    for key, value in parse_qsl(http_build_query(data), keep_blank_values=True):
        flat.setdefault(key, []).append(value)
    return brackets.nest({key: values[0] if len(values) == 1 else values for key, values in flat.items()})


def read(data, **headers):
    return plugins.read(data, Headers(headers))


def visible(delivery):
    return {item.key: item.value for item in delivery.items if not item.meta}


def test_elementor_simple_keys_are_labels_and_form_keys_are_meta():
    delivery = read(from_wire({"Name": "Ada", "Email": "a@example.com", "form_id": "3f5c2a1", "form_name": "News"}))
    assert delivery.plugin == "elementor" and delivery.entry == ()
    assert visible(delivery) == {"Name": "Ada", "Email": "a@example.com"}


def test_elementor_advanced_gives_ids_titles_types_and_meta():
    data = {
        "form": {"id": "3f5c2a1", "name": "News"},
        "fields": {"field_1": {"id": "field_1", "type": "email", "title": "Пошта", "value": "a@example.com"}},
        "meta": {"remote_ip": {"title": "Remote IP", "value": "203.0.113.7"}},
    }
    (field, meta) = read(from_wire(data)).items
    assert (field.key, field.label, field.kind, field.value, field.meta) == (
        "field_1",
        "Пошта",
        "email",
        "a@example.com",
        False,
    )
    assert (meta.key, meta.value, meta.meta) == ("remote_ip", "203.0.113.7", True)


def test_wpforms_is_known_by_its_headers_and_keyed_by_an_entry_id_smart_tag():
    headers = {"X-WPForms-Webhook-Id": "2", "User-Agent": "wpforms-webhooks/1.4.0"}
    assert read({"email": "a@example.com"}, **headers).entry == ()
    delivery = read({"email": "a@example.com", "entry_id": "42"}, **headers)
    assert (delivery.plugin, delivery.entry, visible(delivery)) == ("wpforms", ("42", "2"), {"email": "a@example.com"})


def test_gravity_tells_a_name_field_from_an_address_field():
    entry = {"id": "9", "form_id": "3", "date_created": "2025-06-05 10:00:00", "source_url": "https://x.example/"}
    entry |= {"1.3": "Ada", "1.6": "Lovelace", "4.1": "1 Main St", "4.3": "Kyiv", "4.5": "01001", "4.6": "Ukraine"}
    delivery = read(entry)
    labels = {item.key: item.label for item in delivery.items if not item.meta}
    assert labels == {"1.3": "first name", "1.6": "last name", "4.1": None, "4.3": None, "4.5": None, "4.6": None}
    assert (delivery.plugin, delivery.entry) == ("gravity", ("9", "2025-06-05 10:00:00"))


def test_fluent_forms_leaves_its_submission_row_out_of_the_items():
    data = {
        "names": {"first_name": "Ada"},
        "_wp_http_referer": "/contact/",
        "__submission": {"id": "57", "form_id": "4", "created_at": "2025-06-05 11:31:00", "ip": "203.0.113.4"},
    }
    delivery = read(from_wire(data))
    assert (delivery.plugin, delivery.entry) == ("fluentforms", ("57", "4", "2025-06-05 11:31:00"))
    assert visible(delivery) == {"names[first_name]": "Ada"}


FORMIDABLE_ROW = {
    "id": "311",
    "item_key": "k7x2p",
    "name": "Оксана",
    "form_id": "6",
    "is_draft": "0",
    "created_at": "2025-06-05 11:40:02",
    "qh4icy": "Оксана",
    "ry5ak": "Щотижня",
    "ry5ak-value": "weekly",
}


@pytest.mark.parametrize("shape", [lambda row: [row], lambda row: from_wire([row])])
def test_formidable_array_or_form_encoding(shape):
    delivery = read(shape(FORMIDABLE_ROW))
    assert (delivery.plugin, delivery.entry, delivery.draft) == (
        "formidable",
        ("311", "6", "2025-06-05 11:40:02"),
        False,
    )
    assert visible(delivery) == {"qh4icy": "Оксана", "ry5ak": "Щотижня"}


def test_formidable_drafts_and_test_connection():
    assert read([{**FORMIDABLE_ROW, "is_draft": "1"}]).draft is True
    assert read({"test": True}, **{"X-Hook-Test": "true"}).test is True


def test_metform_reads_entries_from_a_json_string():
    data = {"entries": json.dumps({"mf-email": "a@example.com"}), "entry_id": "", "form_id": "5", "version": "4.1.5"}
    delivery = read(from_wire(data))
    assert (delivery.plugin, delivery.entry, visible(delivery)) == ("metform", (), {"mf-email": "a@example.com"})
    assert read({**data, "entry_id": "781"}).entry == ("781", "5")


@pytest.mark.parametrize("entries", ["{not json", "[1, 2]", json.dumps("text")])
def test_metform_entries_that_are_not_an_object_are_refused(entries):
    with pytest.raises(plugins.PayloadError):
        read({"entries": entries, "form_id": "5", "version": "4.1.5"})


def test_jetformbuilder_handler_keys_are_meta():
    data = {
        "name": "Ada",
        "interests": ["a", "b"],
        "__form_id": "120",
        "__refer": "https://x.example/",
        "__is_ajax": "1",
    }
    delivery = read(from_wire(data))
    assert (delivery.plugin, visible(delivery)) == ("jetformbuilder", {"name": "Ada", "interests": ["a", "b"]})


def test_a_single_json_variable_is_unwrapped_and_cf7_special_tags_are_meta():
    assert visible(read({"json": json.dumps({"email": "a@example.com"})})) == {"email": "a@example.com"}
    delivery = read({"_remote_ip": "203.0.113.1", "your-email": "a@example.com"})
    assert (delivery.plugin, visible(delivery)) == ("plain", {"your-email": "a@example.com"})


def test_another_server_s_idempotency_key_identifies_the_entry():
    assert read({"email": "a@example.com"}, **{"Idempotency-Key": "k-1"}).entry == ("k-1",)


@pytest.mark.parametrize("data", [[], ["text"], [1, 2], "text", 7, None])
def test_anything_but_an_object_is_refused(data):
    with pytest.raises(plugins.PayloadError):
        read(data)
