"""The delivery rows of `make bench`: a backlog drained at three latencies, through an outage, and for two accounts."""

import json
import os
import secrets
import subprocess
import sys
import time

import requests
from harness import BIN, ROOT, WORK, Servers, app_env, drop_schema, flask_cli, free_port, postgres_url, start_fake

DELIVERY_BACKLOG = int(os.environ.get("BENCH_BACKLOG", "4000"))
OUTAGE_SECONDS = float(os.environ.get("BENCH_OUTAGE_SECONDS", "60"))


def start_fake_with_outage(servers, latency, after, seconds):
    command = [sys.executable, "bench/fake_server.py", f"--latency={latency}", "--rate-limit=200"]
    command += [f"--outage-after={after}", f"--outage-seconds={seconds}"]
    return servers.start("fake", command).stdout.readline().decode().strip()


def pace_lines(log_path):
    """Return the worker's `delivery_pace` log lines: the calls in flight it allowed and had."""
    lines = []
    for text in log_path.read_text().splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if isinstance(line, dict) and line.get("event") == "delivery_pace":
            lines.append(line)
    return lines


def process_rss_mb(process):
    found = subprocess.run(["ps", "-o", "rss=", "-p", str(process.pid)], capture_output=True, text=True)
    return int(found.stdout.strip() or 0) / 1024


def measure_delivery(database_url, latency, backlog=DELIVERY_BACKLOG, rate=190, outage=None):
    """Drain a stored backlog with only DELIVERY_RATE set, against a fake answering in `latency` s allowing 200/s."""
    servers = Servers()
    try:
        if outage:
            fake = start_fake_with_outage(servers, latency, *outage)
        else:
            fake = start_fake(servers, latency=latency, rate_limit=200)
        env = app_env(database_url, fake, free_port(), DELIVERY_RATE=rate)
        flask_cli(env, "migrate")
        seed = [sys.executable, "bench/seed.py", str(backlog)]
        subprocess.run(seed, cwd=ROOT, env={**os.environ, **env}, check=True)
        started = time.monotonic()
        name = f"delivery-{latency}{'-outage' if outage else ''}"
        process = servers.start(name, [str(BIN / "flask"), "--app", "app", "deliver"], env=env)
        deadline = started + max(90, backlog / rate * 3) + (sum(outage) * 3 if outage else 0)
        while time.monotonic() < deadline:
            stats = requests.get(f"{fake}/__stats", timeout=10).json()
            if stats["accepted_distinct"] >= backlog:
                break
            time.sleep(0.2)
        rss = process_rss_mb(process)
        servers.stop()  # the worker logs what it settled on at its beats; all are written by now
        return delivery_result(stats, pace_lines(WORK / f"{name}.log"), rss, latency)
    finally:
        servers.stop()


def delivery_result(stats, paces, rss, latency):
    # From the first call to the last: the worker's start-up is not delivery.
    span = (stats["last_accepted_at"] or 0) - (stats["first_accepted_at"] or 0)
    busy = [line for line in paces if line["peak"] > 2] or paces
    result = {
        "latency_ms": latency * 1000,
        "delivered": stats["accepted_distinct"],
        "seconds": span,
        "rate": (stats["accepted"] - 1) / max(span, 1e-9),
        "throttled": stats["statuses"].get("429", 0),
        "sent_twice": stats["accepted"] - stats["accepted_distinct"],
        "calls": stats["calls"],
        "limit": busy[-1]["limit"] if busy else None,
        "peak": max((line["peak"] for line in paces), default=None),
        "rss_mb": rss,
    }
    began, ended = stats.get("outage") or (None, None)
    if ended:
        result["outage_seconds"] = ended - began
        result["drain_after_outage"] = (stats["last_accepted_at"] or ended) - ended
        result["failed_calls"] = stats["statuses"].get("503", 0)
    return result


def measure_all_delivery(database_url_for):
    """The delivery rows: three latencies, an outage of OUTAGE_SECONDS in the middle of a backlog, two accounts."""
    runs = [(measure_delivery, latency, {}) for latency in (0.05, 0.2, 1.0)]
    runs.append((measure_delivery, 0.05, {"outage": (5.0, OUTAGE_SECONDS)}))
    runs += [(measure_two_accounts, latency, {}) for latency in (0.05, 0.2)]
    rows = []
    for measure, latency, options in runs:
        url, done = database_url_for()
        try:
            rows.append(measure(url, latency, **options))
        finally:
            done()
        print("delivery", rows[-1], flush=True)
    return rows


ACCOUNTS = ("default", "shop")
SHOP_ACCOUNT = """
[accounts.shop]
key_env = "SHOP_ESPUTNIK_KEY"
api_url = "{url}"

[forms.shop-news]
account = "shop"
form_type = "shop news"
fields = ["email", "first_name"]
required = ["email"]
"""


def wait_for_accepted(fakes, backlog, deadline):
    """Poll each fake's counts until each accepted `backlog` distinct sign-ups, or until the deadline; return them."""
    while True:
        stats = [requests.get(f"{fake}/__stats", timeout=10).json() for fake in fakes]
        if all(one["accepted_distinct"] >= backlog for one in stats) or time.monotonic() > deadline:
            return stats
        time.sleep(0.2)


def measure_two_accounts(database_url, latency, backlog=DELIVERY_BACKLOG, rate=190):
    """Drain a backlog for each of two eSputnik accounts at once: two fakes, each allowing 200/s, DELIVERY_RATE only."""
    servers = Servers()
    try:
        fakes = [start_fake(servers, latency, rate_limit=200, name=f"fake-{account}") for account in ACCOUNTS]
        forms = WORK / f"forms-two-accounts-{latency}.toml"
        forms.write_text((ROOT / "forms.toml").read_text() + SHOP_ACCOUNT.format(url=fakes[1]))
        env = app_env(database_url, fakes[0], free_port(), DELIVERY_RATE=rate, FORMS_FILE=forms)
        env["SHOP_ESPUTNIK_KEY"] = env["ESPUTNIK_API_KEY"]
        flask_cli(env, "migrate")
        # The default account's backlog is stored first: the shop's must not wait behind it.
        for form_id in ("newsletter", "shop-news"):
            seed = [sys.executable, "bench/seed.py", str(backlog), form_id]
            subprocess.run(seed, cwd=ROOT, env={**os.environ, **env}, check=True)
        name = f"delivery-two-accounts-{latency}"
        process = servers.start(name, [str(BIN / "flask"), "--app", "app", "deliver"], env=env)
        stats = wait_for_accepted(fakes, backlog, time.monotonic() + max(90, backlog / rate * 3))
        rss = process_rss_mb(process)
        servers.stop()
        paces = pace_lines(WORK / f"{name}.log")
        accounts = {
            account: delivery_result(one, [line for line in paces if line.get("account") == account], rss, latency)
            for account, one in zip(ACCOUNTS, stats, strict=True)
        }
        return {"latency_ms": latency * 1000, "accounts": accounts, "rss_mb": rss, "together": together(stats)}
    finally:
        servers.stop()


def together(stats):
    """Return the calls a second both accounts' fakes accepted, from the first to the last."""
    first = min((one["first_accepted_at"] for one in stats if one["first_accepted_at"]), default=0)
    last = max((one["last_accepted_at"] for one in stats if one["last_accepted_at"]), default=0)
    return (sum(one["accepted"] for one in stats) - 1) / max(last - first, 1e-9)


def delivery_report(rows, stored_in):
    lines = [
        "Delivery: one worker (`flask --app app deliver`) drains a backlog of "
        f"{DELIVERY_BACKLOG:,} sign-ups stored in {stored_in} with only `DELIVERY_RATE=190` set, "
        "against the fake eSputnik refusing with 429 above 200 calls/s.",
        "",
        "| fake eSputnik latency | sign-ups/s | 429s | sent twice | in flight: settled limit (peak) | worker memory |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "outage_seconds" in r or "accounts" in r:
            continue
        lines.append(
            f"| {r['latency_ms']:.0f} ms | {r['rate']:.0f} | {r['throttled']} | {r['sent_twice']} | "
            f"{r['limit']} ({r['peak']}) | {r['rss_mb']:.0f} MB |"
        )
    for r in rows:
        if "outage_seconds" not in r:
            continue
        lines += [
            "",
            "| outage | delivered | time to drain after eSputnik returned | 429s | sent twice | 503s answered |",
            "|---|---|---|---|---|---|",
            f"| {r['outage_seconds']:.0f} s of 503, 5 s into the backlog, latency {r['latency_ms']:.0f} ms | "
            f"{r['delivered']} | {r['drain_after_outage']:.1f} s | {r['throttled']} | {r['sent_twice']} | "
            f"{r['failed_calls']} |",
        ]
    return "\n".join(lines + two_accounts_report([r for r in rows if "accounts" in r]))


def two_accounts_report(rows):
    """The rows of two accounts drained at once: each account's rate on its own, and both together."""
    if not rows:
        return []
    lines = [
        "",
        f"Two eSputnik accounts at once: the same worker drains {DELIVERY_BACKLOG:,} sign-ups for each of two accounts "
        "(two fake eSputnik servers, each refusing with 429 above 200 calls/s; the default account's backlog stored "
        "first), with only `DELIVERY_RATE=190` set: the rate is per account.",
        "",
        "| latency | account | sign-ups/s | 429s | sent twice | in flight: settled limit (peak) | memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        for account, a in r["accounts"].items():
            lines.append(
                f"| {r['latency_ms']:.0f} ms | {account} | {a['rate']:.0f} | {a['throttled']} | {a['sent_twice']} | "
                f"{a['limit']} ({a['peak']}) | |"
            )
        lines.append(f"| {r['latency_ms']:.0f} ms | both together | {r['together']:.0f} | | | | {r['rss_mb']:.0f} MB |")
    return lines


def sqlite_database(name):
    def make():
        return f"sqlite:///{WORK / (name + secrets.token_hex(3) + '.sqlite3')}", lambda: None

    return make


def postgres_database():
    url, schema = postgres_url()
    return url, lambda: drop_schema(schema)
