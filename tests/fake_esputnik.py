"""A fake eSputnik: a real HTTP server on loopback that checks requests the way the API is documented.

Tests script its answers: a status, a hang longer than the client's read timeout, a dropped
connection, or, by default, 200 with a contact id. It can also answer 409 to an identical body
within its duplicate window and 429 above a request rate, as eSputnik does. It describes an
account (custom fields, segments) the way GET addressbooks and GET groups do, quirks included.
"""

import base64
import collections
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FORBIDDEN = set("<;’\\/|\"`'^?!,>")
CHANNEL_TYPES = {"email", "sms", "viber", "mobilepush", "webpush", "appinbox", "widget", "inapp"}


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    headers: dict
    body: bytes
    at: float
    answered: int | None = None
    peer: int | None = None  # the client's port: one per connection, so reused connections show
    accepted: bool = False  # eSputnik took it: a contact was created or updated, an event fired

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Script:
    """What the fake answers next; entries are consumed in order, then `default` applies."""

    queue: collections.deque = field(default_factory=collections.deque)
    default: tuple = ("ok",)


def shape_problem(payload):
    """Return why eSputnik would answer 400 to this Subscribe contact body, or None."""
    if not isinstance(payload, dict) or not isinstance(payload.get("contact"), dict):
        return "contact is required"
    channels = payload["contact"].get("channels")
    if not isinstance(channels, list) or not channels:
        return "contact.channels must be a non-empty array"
    for channel in channels:
        if channel.get("type") not in CHANNEL_TYPES or not isinstance(channel.get("value"), str):
            return f"bad channel {channel!r}"
    for key in ("groups",):
        if key in payload and not (isinstance(payload[key], list) and all(isinstance(g, str) for g in payload[key])):
            return f"{key} must be an array of strings"
    form_type = payload.get("formType")
    if form_type is not None and (not isinstance(form_type, str) or FORBIDDEN & set(form_type)):
        return "formType has forbidden characters"
    for item in payload["contact"].get("fields", []):
        if not isinstance(item.get("id"), (int, str)) or not isinstance(item.get("value"), str):
            return "fields[] need id and value"
    for name_key in ("firstName", "lastName"):
        if len(payload["contact"].get(name_key, "")) > 40:
            return f"{name_key} is longer than 40 characters"
    return None


def _one_or_many(items):
    # As eSputnik writes collections: one element as a bare object, several as an array.
    return items[0] if len(items) == 1 else items


def address_books(fields):
    """Return GET addressbooks' answer for `fields`, with string numbers and one-element objects.

    A field's "book" (default "Contacts") puts it in that address book, so an account may have several.
    """
    books = {}
    for item in fields:
        described = {
            "type": item["type"],
            "allowedValues": {"possibleValues": item.get("values", [])},
            "required": "false",
            "readonly": "false",
        }
        entry = {
            "id": str(item["id"]),
            "name": item["name"],
            "fieldKey": item["name"].lower(),
            "description": described,
        }
        groups = books.setdefault(item.get("book", "Contacts"), {})
        groups.setdefault(item.get("group", "Main"), []).append(entry)
    answer = []
    for number, (name, groups) in enumerate((books or {"Contacts": {}}).items()):
        field_groups = [
            {"name": group, "profileKey": group.lower(), "fields": _one_or_many(items)}
            for group, items in groups.items()
        ]
        answer.append({"addressBookId": str(7200 + number), "name": name, "fieldGroups": _one_or_many(field_groups)})
    return {"addressBook": _one_or_many(answer)}


def segments_page(names, start, quirky):
    """Return one page of GET groups' answer; `quirky`: one row as a bare object, ids as strings."""
    rows = [{"id": 5000 + i, "name": name, "type": "Static"} for i, name in enumerate(names, start)]
    if not quirky:
        return rows
    return _one_or_many([{**row, "id": str(row["id"])} for row in rows])


class Server(ThreadingHTTPServer):
    """The HTTP server, with a listen backlog of a real one (the standard library's is 5)."""

    request_queue_size = 512
    daemon_threads = True


class FakeEsputnik:
    """The server and what it saw."""

    def __init__(self, api_key="test-key", duplicate_window=60.0, rate_limit=None, latency=0.0, organisation=None):
        self.api_key = api_key
        self.organisation = organisation or "Test shop"  # the name GET account/info gives the key's account
        self.duplicate_window = duplicate_window
        self.rate_limit = rate_limit
        self.latency = latency
        self.calls = []
        self.outage = [None, None]  # when the benchmark's outage began and ended
        self.script = Script()
        self.lock = threading.Lock()
        self.ids = itertools.count(1000)
        self.recent_bodies = {}
        self.window = collections.deque()
        self.fields = []  # {"id", "name", "type", "values", "group"}: the account's custom fields
        self.segments = []  # the account's segment names
        self.quirky_segments = False  # GET groups as eSputnik's XML-style JSON may give it
        self.server = Server(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.calls.clear()
            self.script = Script()
            self.recent_bodies.clear()
            self.window.clear()
            self.fields, self.segments, self.quirky_segments = [], [], False
            self.api_key, self.duplicate_window, self.rate_limit, self.latency = "test-key", 60.0, None, 0.0

    def then(self, *actions):
        """Queue answers: ("status", code[, body[, headers]]), ("hang", seconds), ("drop",), ("ok",),
        ("late", seconds): taken as usual, but the answer comes only after `seconds`, or
        ("held", event): taken as usual once the test sets `event` (at most 10 s later)."""
        with self.lock:
            self.script.queue.extend(actions)
        return self

    def always(self, action):
        """Answer every request not otherwise scripted with `action`."""
        with self.lock:
            self.script.default = action

    def connections(self):
        """Return how many client connections the Subscribe calls came over."""
        return len({c.peer for c in self.subscribe_calls()})

    def subscribe_calls(self):
        """Return the Subscribe contact calls received so far."""
        with self.lock:
            return [c for c in self.calls if c.path == "/api/v1/contact/subscribe"]

    def accepted_bodies(self):
        """Return the bodies eSputnik took (each fired one event), in arrival order."""
        return [c.body for c in self.subscribe_calls() if c.accepted]

    def _next_action(self):
        with self.lock:
            return self.script.queue.popleft() if self.script.queue else self.script.default

    def _throttled(self, now):
        if not self.rate_limit:
            return False
        with self.lock:
            while self.window and self.window[0] < now - 1.0:
                self.window.popleft()
            if len(self.window) >= self.rate_limit:
                return True
            self.window.append(now)
            return False

    def _duplicate(self, body, now):
        if not self.duplicate_window:
            return False
        with self.lock:
            seen = self.recent_bodies.get(body)
            self.recent_bodies[body] = now
            return seen is not None and now - seen < self.duplicate_window

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The head and the body go out in two writes; with Nagle's algorithm on, the body waited for
            # the client's delayed ACK (40 ms on Linux) on every kept-alive connection after its first answer.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _send(self, status, body=b"", headers=None):
                self.call.answered = status
                try:
                    self._write(status, body, headers)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting

            def _write(self, status, body, headers):
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self):
                scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
                if scheme != "Basic":
                    return False
                try:
                    _user, _, password = base64.b64decode(encoded).decode().partition(":")
                except ValueError:
                    return False
                return password == fake.api_key

            def _answer(self, action):
                kind = action[0]
                if kind == "hang":
                    time.sleep(action[1])
                    self.close_connection = True
                    return
                if kind == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if kind == "late":
                    self._normal(delay=action[1])
                    return
                if kind == "held":
                    action[1].wait(10)
                    self._normal()
                    return
                if kind == "status":
                    body = action[2] if len(action) > 2 else b'{"message":"scripted"}'
                    body = body if isinstance(body, bytes) else body.encode()
                    self._send(action[1], body, action[3] if len(action) > 3 else None)
                    return
                self._ok()

            def _ok(self):
                path = urlsplit(self.path).path
                if path == "/api/v1/account/info":
                    info = {"userName": "api", "organisationName": fake.organisation}
                    return self._send(200, json.dumps(info).encode())
                if path == "/api/v1/addressbooks":
                    return self._send(200, json.dumps(address_books(fake.fields)).encode())
                if path == "/api/v1/groups":
                    return self._send(200, json.dumps(self._segments_page()).encode())
                answer = {"id": next(fake.ids), "emailStatus": "NEED_CONFIRMATION", "new": True}
                self._send(200, json.dumps(answer).encode())

            def _segments_page(self):
                query = parse_qs(urlsplit(self.path).query)
                start = max(int(query.get("startindex", ["1"])[0]), 1)
                rows = min(int(query.get("maxrows", ["500"])[0]), 500)
                return segments_page(fake.segments[start - 1 : start - 1 + rows], start, fake.quirky_segments)

            def _check(self):
                """Return an error (status, message) the real API would give, or None."""
                if not self._authorised():
                    return 401, "Unauthorized"
                if self.command == "POST" and not self.headers.get("Content-Type", "").startswith("application/json"):
                    return 415, "Unsupported Media Type"
                if self.command == "POST":
                    try:
                        problem = shape_problem(json.loads(self.call.body))
                    except ValueError:
                        problem = "body is not JSON"
                    if problem:
                        return 400, problem
                return None

            def _stats(self):
                """Counts of what arrived, for the benchmark (no auth: it tells nothing secret)."""
                calls = fake.subscribe_calls()
                taken = [c.at for c in calls if c.accepted]
                stats = {
                    "calls": len(calls),
                    "accepted": len(taken),
                    "accepted_distinct": len({c.body for c in calls if c.accepted}),
                    "first_accepted_at": min(taken, default=None),
                    "last_accepted_at": max(taken, default=None),
                    "statuses": dict(collections.Counter(str(c.answered) for c in calls)),
                    "outage": fake.outage,
                }
                self.call = Call(self.command, self.path, {}, b"", time.time())
                self._send(200, json.dumps(stats).encode())

            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                self.call = Call(self.command, self.path, dict(self.headers), body, time.time())
                self.call.peer = self.client_address[1]
                with fake.lock:
                    fake.calls.append(self.call)

            def do_GET(self):
                self._dispatch()

            def do_POST(self):
                self._dispatch()

            def _dispatch(self):
                if self.path == "/__stats":
                    return self._stats()
                self._record()
                # eSputnik counts a request against its rate when it arrives, however long it then takes.
                self.over_rate = fake._throttled(self.call.at)
                if fake.latency:
                    time.sleep(fake.latency)
                action = fake._next_action()
                if action[0] != "ok":
                    return self._answer(action)
                self._normal()

            def _normal(self, delay=0.0):
                """Answer as eSputnik would: auth, media type, shape, rate, duplicate minute, then 200."""
                error = self._check()
                now = time.time()
                if error:
                    status, body = error[0], json.dumps({"message": error[1]}).encode()
                elif self.over_rate:
                    status, body = 429, b'{"message":"More than 200 requests per 1 second"}'
                elif self.command == "POST" and fake._duplicate(self.call.body, now):
                    status, body = 409, b'{"message":"Duplicated request"}'
                else:
                    self.call.accepted = self.command == "POST"
                    status, body = None, None
                if delay:
                    time.sleep(delay)
                if status is None:
                    return self._ok()
                return self._send(status, body)

        return Handler
