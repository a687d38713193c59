"""Bodies of each plugin's shape, and of hostile shapes, filling MAX_CONTENT_LENGTH, for bench/parse_cost.py."""

import json
from urllib.parse import urlencode

LIMIT = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
WPFORMS_HEADERS = {"User-Agent": "wpforms-webhooks/1.4.0"}
TOKEN_ROOM = 200  # bytes left free in a visitor's body for the form token


def fill(build, fields, limit=LIMIT):
    """Return the largest body `build(n, pad)` within `limit`: n fields, each value padded to `pad` characters."""
    pad = 1
    body = build(fields, pad)
    while True:
        bigger = build(fields, pad * 2)
        if len(bigger) > limit:
            break
        pad, body = pad * 2, bigger
    step = pad // 2
    while step:
        candidate = build(fields, pad + step)
        if len(candidate) <= limit:
            pad, body = pad + step, candidate
        step //= 2
    return body


def most_fields(build, limit=LIMIT):
    """Return the body of `build` with as many one-character fields as fit."""
    low, high = 1, limit
    while low < high:
        middle = (low + high + 1) // 2
        if len(build(middle, 1)) <= limit:
            low = middle
        else:
            high = middle - 1
    return build(low, 1)


def as_json(data):
    return json.dumps(data).encode()


def as_form(pairs):
    return urlencode(pairs).encode()


CONTACT = {"email": "ada@example.com", "first_name": "Ada"}


def elementor(n, pad):
    pairs = [("form[id]", "3f5c2a1"), ("fields[email][type]", "email"), ("fields[email][value]", "ada@example.com")]
    for i in range(n // 4):
        pairs += [(f"fields[f{i}][{k}]", "x" * pad) for k in ("id", "type", "title", "value")]
    return as_form(pairs)


def cf7(n, pad):
    return as_json({"your-email": "ada@example.com", **{f"text-{i}": "x" * pad for i in range(n)}})


def wpforms(n, pad):
    return as_json({"entry_id": "42", **CONTACT, **{f"field_{i}": "x" * pad for i in range(n)}})


def wpforms_form(n, pad):
    return as_form([("entry_id", "42"), *CONTACT.items(), *((f"field_{i}", "x" * pad) for i in range(n))])


def gravity(n, pad):
    body = {"id": "9", "form_id": "2", "date_created": "2025-01-01 10:00:00", "1": "ada@example.com"}
    return as_json(body | {f"{i}.3": "x" * pad for i in range(n)})


def fluent(n, pad):
    pairs = [("__submission[id]", "7"), ("__submission[form_id]", "3"), ("email", "ada@example.com")]
    return as_form(pairs + [(f"names{i}[]", "x" * pad) for i in range(n)])


def ninja(n, pad):
    return as_form([("email", "ada@example.com")] + [(f"textbox_{i}", "x" * pad) for i in range(n)])


def formidable(n, pad):
    row = {"id": "5", "item_key": "k", "form_id": "3", "email": "ada@example.com"}
    return as_json([row | {f"f{i}": "x" * pad for i in range(n)}])


def metform(n, pad):
    entries = {"mf-email": "ada@example.com", **{f"mf-text-{i}": "x" * pad for i in range(n)}}
    return as_json({"entries": json.dumps(entries), "entry_id": "781", "form_id": "12"})


def jetformbuilder(n, pad):
    return as_form([("__form_id", "5"), ("email", "ada@example.com")] + [(f"f{i}", "x" * pad) for i in range(n)])


def flat(n, pad):
    return as_json({**CONTACT, **{f"k{i}": "x" * pad for i in range(n)}})


def hostile_list(n, pad):
    return "&".join(["a[]=" + "x" * (pad - 1)] * n).encode()


def hostile_gravity(n, pad):
    return "&".join(f"{i}.3=" + "x" * (pad - 1) for i in range(n)).encode()


def deep_keys(n, pad):
    return "&".join(f"f{i}[aa][bb][cc][dd][ee][ff][gg]=" + "x" * (pad - 1) for i in range(n)).encode()


def long_value(n, pad):
    return as_json({"email": "ada@example.com", "message": "a@" + "." * (LIMIT - 60) + " "})


def distinct_keys(n, pad):
    return "&".join(f"k{i}=" + "x" * (pad - 1) for i in range(n)).encode()


def long_address(_n, pad):
    # Dotted like this, an address costs the address check more than any other 64 kB value tried.
    return as_form({"email": "a." * (pad // 2) + "@example.com", "consent": "on"})


def a_list(_build):
    return hostile_list(13_000, 1)


# What each shape is sent as: a name for each variant, and how to make its body.
SIZES = [("most fields", most_fields), ("990 long fields", lambda build: fill(build, 990))]
HOSTILE = {
    hostile_list: [("13,000 entries", a_list)],
    hostile_gravity: [("7,000 entries", lambda build: build(7_000, 1))],
    long_value: [("one value of 65,478 characters", lambda build: build(1, 1))],
    deep_keys: [("1,000 keys 8 deep, long values", lambda build: fill(build, 1_000))],
}
VISITOR = [
    ("13,000 a[]= entries", a_list),
    ("most distinct keys", lambda _build: most_fields(distinct_keys, LIMIT - TOKEN_ROOM)),
    ("one long address", lambda _build: fill(long_address, 1, LIMIT - TOKEN_ROOM)),
]


# name, build, content type, route ("token", "signed" or a visitors' path), the variants, extra headers
SHAPES = [
    ("Elementor (advanced data)", elementor, FORM_TYPE, "token", SIZES, {}),
    ("Contact Form 7 (CF7 to Webhook)", cf7, "application/json", "token", SIZES, {}),
    ("WPForms (JSON, signed)", wpforms, "application/json", "signed", SIZES, WPFORMS_HEADERS),
    ("WPForms (form-encoded, signed)", wpforms_form, FORM_TYPE, "signed", SIZES, WPFORMS_HEADERS),
    ("Gravity Forms (entry object)", gravity, "application/json", "token", SIZES, {}),
    ("Fluent Forms", fluent, FORM_TYPE, "token", SIZES, {}),
    ("Ninja Forms", ninja, FORM_TYPE, "token", SIZES, {}),
    ("Formidable", formidable, "application/json", "token", SIZES, {}),
    ("MetForm", metform, "application/json", "token", SIZES, {}),
    ("JetFormBuilder", jetformbuilder, FORM_TYPE, "token", SIZES, {}),
    ("flat JSON", flat, "application/json", "token", SIZES, {}),
    ("hostile a[]= list", hostile_list, FORM_TYPE, "token", HOSTILE[hostile_list], {}),
    ("hostile a[]= list, WPForms-signed", hostile_list, FORM_TYPE, "signed", HOSTILE[hostile_list], WPFORMS_HEADERS),
    ("hostile deep keys, WPForms-signed", deep_keys, FORM_TYPE, "signed", HOSTILE[deep_keys], WPFORMS_HEADERS),
    ("hostile Gravity N.3= keys", hostile_gravity, FORM_TYPE, "token", HOSTILE[hostile_gravity], {}),
    ("hostile address-like value", long_value, "application/json", "token", HOSTILE[long_value], {}),
    ("`POST /api/forms/<id>/submissions`", None, FORM_TYPE, "/api/forms/bench/submissions", VISITOR, {}),
    ("`POST /f/<id>`", None, FORM_TYPE, "/f/bench", VISITOR, {}),
]
