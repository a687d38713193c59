"""Where one sign-up's time goes: CPU timers on its parts, then cProfile, over sign-ups posted in one process.

`python bench/profile_signup.py [count]` posts `count` (500) sign-ups to /f/newsletter, each with a
real token and a distinct address, straight to the WSGI app (no test client), and prints: the CPU
of one request for the bare ceiling app, for our `/healthz` and for a sign-up; the CPU of each
part of a sign-up, timed around the functions that do it (no profiler, so no distortion); then
the share of each part under cProfile and the functions that took most of it. Tokens are fetched
beforehand and not counted. With `PROFILE_DATABASE_URL` set (an empty PostgreSQL database), it
runs there instead of a new SQLite file. The log lines go to standard error: send it to /dev/null
(`2>/dev/null`) to see the summary alone.
"""

import cProfile
import functools
import io
import os
import pstats
import secrets
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from werkzeug.test import EnvironBuilder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ceiling
from signup import create_app, db, intake, writer
from signup.ops import logs
from signup.visitors import pages, pipeline

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
HEADERS = {"User-Agent": BROWSER}
# The parts of the path under cProfile, each named by a function whose cumulative time is that part's.
PARTS = (
    ("whole request", "app.py", "wsgi_app"),
    ("the view", "app.py", "dispatch_request"),
    ("visitor pipeline", "pipeline.py", "run"),
    ("bot checks", "screening.py", "screen"),
    ("validation", "collected.py", "clean"),
    ("intake.accept (storing, committed)", "intake.py", "accept"),
    ("the commit", "base.py", "_commit_impl"),
    ("consent record built", "consent.py", "shown"),
    ("request log line", "logs.py", "finish_request"),
    ("redirect answer", "pages.py", "finish"),
)
# The parts timed without a profiler: (label, owner, attribute); nested parts are indented.
TIMED = (
    ("the view (submit_form)", pages, "submit_form"),
    ("  bot checks (token, screening)", pipeline, "screen"),
    ("  validation", pipeline, "clean"),
    ("  storing, committed (intake.accept)", intake, "accept"),
    ("    the transaction (Writer._store)", writer.Writer, "_store"),
    ("      its statements (Prepared.run)", writer.Prepared, "run"),
    ("  redirect answer", pages, "finish"),
    ("request log line", logs, "finish_request"),
)


def build_app(path):
    environ = {
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": os.environ.get("PROFILE_DATABASE_URL") or f"sqlite:///{path}",
        "ESPUTNIK_API_KEY": "profile-key",
        "RATE_LIMIT": "off",
        "MAX_SIGNUPS_PER_ADDRESS_PER_DAY": "0",
        "FORM_MIN_FILL_SECONDS": "0",
        "LOG_FORMAT": "json",
    }
    app = create_app(environ={**os.environ, **environ})
    with app.app_context():
        db.migrate()
    return app


def cumulative(stats, filename, name):
    return max(
        (row[3] for (file, _line, func), row in stats.stats.items() if func == name and file.endswith(filename)),
        default=0.0,
    )


def environ(method, path, data=None):
    return EnvironBuilder(path=path, method=method, data=data, headers=HEADERS).get_environ()


def bodies(app, count, run):
    """Return `count` sign-up requests, each with a fresh real token and its own address."""
    client = app.test_client()
    tokens = [client.get("/api/forms/newsletter", headers=HEADERS).get_json()["token"] for _ in range(count)]
    return [
        environ(
            "POST",
            "/f/newsletter",
            {
                "form_token": t,
                "website": "",
                "lang": "en",
                "email": f"{run}{n}@example.com",
                "first_name": "Ada",
                "consent": "yes",
            },
        )
        for n, t in enumerate(tokens)
    ]


def call(app, request):
    """Run one request through the WSGI app, its body read and closed, and return its status."""
    status = []
    body = app(request, lambda line, headers, exc_info=None: status.append(line))
    for _chunk in body:
        pass
    getattr(body, "close", lambda: None)()
    return status[0]


def post_all(app, requests, expected="303"):
    for request in requests:
        status = call(app, request)
        assert status.startswith(expected), status


def cpu_per_request(app, requests, expected):
    """Return (CPU ms, wall ms) per request over `requests`."""
    wall, cpu = time.perf_counter(), time.process_time()
    post_all(app, requests, expected)
    return (time.process_time() - cpu) / len(requests) * 1000, (time.perf_counter() - wall) / len(requests) * 1000


def _timed(spent, label, function):
    @functools.wraps(function)
    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - started

    return timed


def timed_parts(app, requests):
    """Return the CPU seconds spent in each of TIMED over `requests`, the functions wrapped for the run only."""
    spent, saved = Counter(), [(owner, name, getattr(owner, name)) for _label, owner, name in TIMED]
    hooks = {key: list(functions) for key, functions in app.after_request_funcs.items()}
    views = dict(app.view_functions)
    try:
        for label, owner, name in TIMED:
            original = getattr(owner, name)
            wrapped = _timed(spent, label, original)
            setattr(owner, name, wrapped)
            # Flask holds its own references to views and hooks, taken when the app was made.
            for endpoint, view in views.items():
                if view is original:
                    app.view_functions[endpoint] = wrapped
            for functions in app.after_request_funcs.values():
                functions[:] = [wrapped if f is original else f for f in functions]
        post_all(app, requests)
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
        app.view_functions.update(views)
        for key, functions in hooks.items():
            app.after_request_funcs[key][:] = functions
    return spent


def main(count):
    work = Path(tempfile.mkdtemp(prefix="signup-profile-"))
    app = build_app(work / "profile.sqlite3")
    post_all(app, bodies(app, 20, "warm"))  # first-request work is not a sign-up's
    bare = [environ("POST", "/f/newsletter", {"email": "a@example.com"}) for _ in range(count)]
    health = [environ("GET", "/healthz") for _ in range(count)]
    print("CPU per request, one process, one thread (ms; wall in brackets):")
    for label, target, requests, expected in (
        ("bare ceiling app, POST answered 303", ceiling.app, bare, "303"),
        ("ours, GET /healthz", app, health, "200"),
        ("ours, a sign-up", app, bodies(app, count, "plain"), "303"),
    ):
        cpu, wall = cpu_per_request(target, requests, expected)
        print(f"  {label:40} {cpu:6.3f}  ({wall:.3f})")
    spent = timed_parts(app, bodies(app, count, "timed"))
    print("CPU of a sign-up's parts, timed around the functions that do them, no profiler (ms):")
    for label, _owner, _name in TIMED:
        print(f"  {label:40} {spent[label] / count * 1000:6.3f}")
    prepared = bodies(app, count, "profiled")
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    post_all(app, prepared)
    profile.disable()
    wall = time.perf_counter() - started
    profile.dump_stats(work / "signup.prof")
    stats = pstats.Stats(profile)
    total = cumulative(stats, "app.py", "wsgi_app") or wall
    print(f"{count} sign-ups, {wall / count * 1000:.2f} ms each under the profiler ({total / count * 1000:.2f} ms)")
    for label, filename, name in PARTS:
        seconds = cumulative(stats, filename, name)
        print(f"  {label:40} {seconds / count * 1000:6.2f} ms  {seconds / total:5.1%}")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())
    print(f"the whole profile: {work / 'signup.prof'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
