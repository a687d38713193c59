"""The delivery rows of `make bench`: a stored backlog drained at three latencies, and through an outage."""

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
    """The delivery rows: three latencies, then an outage of OUTAGE_SECONDS in the middle of a backlog."""
    rows = []
    for latency in (0.05, 0.2, 1.0):
        url, done = database_url_for()
        try:
            rows.append(measure_delivery(url, latency))
        finally:
            done()
        print("delivery", rows[-1], flush=True)
    url, done = database_url_for()
    try:
        rows.append(measure_delivery(url, 0.05, outage=(5.0, OUTAGE_SECONDS)))
    finally:
        done()
    print("delivery", rows[-1], flush=True)
    return rows


def delivery_report(rows):
    lines = [
        f"Delivery: one worker (`flask --app app deliver`) drains a stored backlog of {DELIVERY_BACKLOG:,} sign-ups "
        "with only `DELIVERY_RATE=190` set, against the fake eSputnik refusing with 429 above 200 calls/s.",
        "",
        "| fake eSputnik latency | sign-ups/s | 429s | sent twice | in flight: settled limit (peak) | worker memory |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "outage_seconds" in r:
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
    return "\n".join(lines)


def sqlite_database(name):
    def make():
        return f"sqlite:///{WORK / (name + secrets.token_hex(3) + '.sqlite3')}", lambda: None

    return make


def postgres_database():
    url, schema = postgres_url()
    return url, lambda: drop_schema(schema)
