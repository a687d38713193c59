"""Where one sign-up's time goes: cProfile over sign-ups posted with the test client, on SQLite or PostgreSQL.

`python bench/profile_signup.py [count]` posts `count` (500) sign-ups to /f/newsletter, each with a
real token and a distinct address, and prints the time per sign-up, the share of the parts of the
path, and the functions that took most of it. Tokens are fetched beforehand and not profiled.
With `PROFILE_DATABASE_URL` set (an empty PostgreSQL database), it runs there instead of a new
SQLite file. The log lines go to standard error: send it to /dev/null (`2>/dev/null`) to see the summary alone.
"""

import cProfile
import io
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from signup import create_app, db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
HEADERS = {"User-Agent": BROWSER}
# The parts of the path, each named by a function whose cumulative time is that part's.
PARTS = (
    ("whole request (test client)", "test.py", "open"),
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


def bodies(client, count, run):
    """Return `count` sign-up bodies, each with a fresh real token and its own address."""
    tokens = [client.get("/api/forms/newsletter", headers=HEADERS).get_json()["token"] for _ in range(count)]
    return [
        {
            "form_token": t,
            "website": "",
            "lang": "en",
            "email": f"{run}{n}@example.com",
            "first_name": "Ada",
            "consent": "yes",
        }
        for n, t in enumerate(tokens)
    ]


def post_all(client, prepared):
    for body in prepared:
        answer = client.post("/f/newsletter", data=body, headers=HEADERS)
        assert answer.status_code == 303, answer.status_code


def main(count):
    work = Path(tempfile.mkdtemp(prefix="signup-profile-"))
    app = build_app(work / "profile.sqlite3")
    client = app.test_client()
    post_all(client, bodies(client, 20, "warm"))  # first-request work is not a sign-up's
    prepared = bodies(client, count, "plain")
    wall, cpu = time.perf_counter(), time.process_time()
    post_all(client, prepared)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{count} sign-ups without the profiler: {wall / count * 1000:.2f} ms each, {cpu / count * 1000:.2f} ms of CPU"
    )
    prepared = bodies(client, count, "profiled")
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    post_all(client, prepared)
    profile.disable()
    wall = time.perf_counter() - started
    profile.dump_stats(work / "signup.prof")
    stats = pstats.Stats(profile)
    total = cumulative(stats, "test.py", "open") or wall
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
