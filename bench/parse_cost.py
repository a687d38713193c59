"""Worst-case time to answer a body of each shape at MAX_CONTENT_LENGTH, with and without a token.

Run by hand: `.venv/bin/python bench/parse_cost.py` (about a minute). Each webhook shape is sent in
two sizes that fill the body limit: as many fields as fit (past the field cap, so refused with 413),
and just under the cap with long values (read, recognised and, with a token, stored). WPForms is
signed instead (a valid signature, or one made with another secret), and the visitors' routes get
a form token (or none). Requests go through the whole WSGI stack in process (no network), on
SQLite; the table shows the slowest and the median of REPEAT answers for each.
"""

import hashlib
import hmac
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parse_shapes import FORM_TYPE, SHAPES

from signup import bodies, catalogue, create_app, db
from signup.webhooks import auth, brackets

REPEAT = 15
WITH = "with a valid token, signature or form token"
TOKEN = "bench-token-0123456789"  # noqa: S105 (a made-up token for this run)
SECRET = "bench-wpforms-secret-0123456789"  # noqa: S105 (made up too)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
FORMS = f"""
[forms.bench]
form_type = "bench"
fields = ["email", "phone", "first_name", "last_name"]
language = "uk"
phone_region = "UA"
wpforms_secret = "{SECRET}"
"""


def signed_payload(body, content_type):
    """Return what WPForms signs: the raw JSON body, or its own JSON of a form-encoded body's fields."""
    if content_type != FORM_TYPE:
        return body
    fields = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        fields.setdefault(key, []).append(value)
    return auth.php_json(brackets.nest({k: v[0] if len(v) == 1 else v for k, v in fields.items()})).encode()


def signature(payload, secret=SECRET):
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v={digest}"


def one_try(client, route, body, headers, authorised, payload):
    """Return the URL, body and headers of one request: with the token, signature or form token, or without."""
    if route == "signed":
        headers = headers | {auth.SIGNATURE_HEADER: signature(payload, SECRET if authorised else "wrong-secret")}
        return "/hooks/bench", body, headers
    if route == "token":
        return "/hooks/bench" + (f"?token={TOKEN}" if authorised else ""), body, headers
    if authorised:  # a fresh form token each time, as a sign-up that got through spends its token
        body += f"&form_token={client.get('/api/forms/bench').get_json()['token']}".encode()
    return route, body, headers | {"User-Agent": BROWSER}


def timed(client, body, content_type, route, headers, authorised):
    """Return (milliseconds per answer, sorted) and the statuses seen."""
    times, statuses = [], set()
    payload = signed_payload(body, content_type) if route == "signed" and authorised else body
    for _ in range(REPEAT):
        url, data, extra = one_try(client, route, body, headers, authorised, payload)
        start = time.perf_counter()
        answer = client.post(url, data=data, content_type=content_type, headers=extra)
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
        "FORM_MIN_FILL_SECONDS": 0,
    }
    app = create_app(settings, environ={"SECRET_KEY": "b" * 40})
    with app.app_context():
        db.migrate()
    client = app.test_client()
    print(f"MAX_CONTENT_LENGTH {app.config['MAX_CONTENT_LENGTH']}, field cap {bodies.MAX_VALUES}, {REPEAT} runs each")
    print("load average at the start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"| shape | body | {WITH}: worst (median) | without: worst (median) |\n|---|---|---|---|")
    for name, build, content_type, route, variants, headers in SHAPES:
        for label, make in variants:
            body, cells = make(build), []
            for authorised in (True, False):
                times, statuses = timed(client, body, content_type, route, headers, authorised)
                codes = "/".join(str(s) for s in sorted(statuses))
                cells.append(f"{times[-1]:.1f} ms ({statistics.median(times):.1f}) → {codes}")
            print(f"| {name} | {label}, {len(body):,} B | {cells[0]} | {cells[1]} |", flush=True)
    print("load average at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    app.extensions["signup.engine"].dispose()


if __name__ == "__main__":
    main()
