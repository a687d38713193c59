"""Worst-case time to answer a webhook body of each plugin's shape at MAX_CONTENT_LENGTH, with and without a token.

Run by hand: `.venv/bin/python bench/parse_cost.py` (about a minute). Each shape is sent in two
sizes that fill the body limit: as many fields as fit (past the field cap, so refused with 413),
and just under the cap with long values (read, recognised and, with a token, stored). Requests go
through the whole WSGI stack in process (no network), on SQLite; the table shows the slowest and
the median of REPEAT answers for each.
"""

import hashlib
import hmac
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from signup import bodies, catalogue, create_app, db

REPEAT = 15
LIMIT = 64 * 1024
TOKEN = "bench-token-0123456789"  # noqa: S105 (a made-up token for this run)
SECRET = "bench-wpforms-secret-0123456789"  # noqa: S105 (made up too)
FORM_TYPE = "application/x-www-form-urlencoded"
FORMS = f"""
[forms.bench]
form_type = "bench"
fields = ["email", "phone", "first_name", "last_name"]
language = "uk"
phone_region = "UA"
wpforms_secret = "{SECRET}"
"""


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


def most_fields(build):
    """Return the body of `build` with as many one-character fields as fit."""
    low, high = 1, LIMIT
    while low < high:
        middle = (low + high + 1) // 2
        if len(build(middle, 1)) <= LIMIT:
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


def long_value(n, pad):
    return as_json({"email": "ada@example.com", "message": "a@" + "." * (LIMIT - 60) + " "})


# name, build, content type, extra headers
SHAPES = [
    ("Elementor (advanced data)", elementor, FORM_TYPE, {}),
    ("Contact Form 7 (CF7 to Webhook)", cf7, "application/json", {}),
    ("WPForms (JSON, signed)", wpforms, "application/json", {"User-Agent": "wpforms-webhooks/1.4.0"}),
    ("Gravity Forms (entry object)", gravity, "application/json", {}),
    ("Fluent Forms", fluent, FORM_TYPE, {}),
    ("Ninja Forms", ninja, FORM_TYPE, {}),
    ("Formidable", formidable, "application/json", {}),
    ("MetForm", metform, "application/json", {}),
    ("JetFormBuilder", jetformbuilder, FORM_TYPE, {}),
    ("flat JSON", flat, "application/json", {}),
    ("hostile a[]= list", hostile_list, FORM_TYPE, {}),
    ("hostile Gravity N.3= keys", hostile_gravity, FORM_TYPE, {}),
    ("hostile address-like value", long_value, "application/json", {}),
]


def signature(body, secret=SECRET):
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v={digest}"


def timed(client, body, content_type, headers, authorised, signed):
    """Return (milliseconds per answer, sorted) and the statuses seen."""
    times, statuses = [], set()
    for _ in range(REPEAT):
        extra = dict(headers)
        url = "/hooks/bench"
        if signed:
            extra["X-WPForms-Webhook-Signature"] = signature(body, SECRET if authorised else "wrong-secret")
        elif authorised:
            url += f"?token={TOKEN}"
        start = time.perf_counter()
        answer = client.post(url, data=body, content_type=content_type, headers=extra)
        times.append((time.perf_counter() - start) * 1000)
        statuses.add(answer.status_code)
    return sorted(times), statuses


def main():
    work = Path(tempfile.mkdtemp(prefix="signup-parse-cost-"))
    settings = {
        "TESTING": False,
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "FORMS": catalogue.parse(FORMS),
        "WEBHOOK_TOKEN": TOKEN,
        "DRY_RUN": True,
        "RATE_LIMIT": None,
    }
    app = create_app(settings, environ={"SECRET_KEY": "b" * 40})
    with app.app_context():
        db.migrate()
    client = app.test_client()
    print(f"MAX_CONTENT_LENGTH {app.config['MAX_CONTENT_LENGTH']}, field cap {bodies.MAX_VALUES}, {REPEAT} runs each")
    print("| shape | body | with a valid token: worst (median) | without: worst (median) |\n|---|---|---|---|")
    for name, build, content_type, headers in SHAPES:
        signed = build is wpforms
        if build in (hostile_list, hostile_gravity):
            count = 13_000 if build is hostile_list else 7_000
            variants = [(f"{count:,} entries", build(count, 1))]
        elif build is long_value:
            variants = [("one value of 65,478 characters", build(1, 1))]
        else:
            variants = [("most fields", most_fields(build)), ("990 long fields", fill(build, 990))]
        for label, body in variants:
            cells = []
            for authorised in (True, False):
                times, statuses = timed(client, body, content_type, headers, authorised, signed)
                codes = "/".join(str(s) for s in sorted(statuses))
                cells.append(f"{times[-1]:.1f} ms ({statistics.median(times):.1f}) → {codes}")
            print(f"| {name} | {label}, {len(body):,} B | {cells[0]} | {cells[1]} |", flush=True)
    app.extensions["signup.engine"].dispose()


if __name__ == "__main__":
    main()
