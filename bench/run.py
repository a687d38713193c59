"""`make bench`: the visitor path and delivery, measured in one run beside a bare ceiling and a naive integration.

Everything runs on loopback and is bounded in time. The table is printed and written, with the
machine's description, to docs/benchmarks.md.
"""

import concurrent.futures
import json
import os
import platform
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# BENCH_ONLY=visitor measures the visitor rows alone (the ceiling, the naive app, ours on both databases).
ONLY = os.environ.get("BENCH_ONLY", "")
FORM = "newsletter"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
WORK = Path(tempfile.mkdtemp(prefix="signup-bench-"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Servers:
    """Processes started for one measurement, stopped when it ends."""

    def __init__(self):
        self.running = []

    def start(self, name, command, env=None, port=None):
        with open(WORK / f"{name}.log", "wb") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=log
            )
        self.running.append(process)
        if port:
            wait_until_up(f"http://127.0.0.1:{port}/healthz")
        return process

    def stop(self):
        for process in reversed(self.running):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


def wait_until_up(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up; see {WORK}")


def start_fake(servers, latency, rate_limit=200):
    process = servers.start(
        "fake", [sys.executable, "bench/fake_server.py", f"--latency={latency}", f"--rate-limit={rate_limit}"]
    )
    return process.stdout.readline().decode().strip()


def app_env(database_url, fake_url, port, **extra):
    env = {
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "ESPUTNIK_API_URL": fake_url,
        "ESPUTNIK_API_KEY": "bench-key",
        "RATE_LIMIT": "off",
        "PORT": str(port),
        "MAX_SIGNUPS_PER_ADDRESS_PER_DAY": "0",
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


def flask_cli(env, *args):
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )


def gunicorn(servers, name, target, env):
    command = [str(BIN / "gunicorn"), target, "--config", "gunicorn.conf.py"]
    return servers.start(name, command, env=env, port=int(env["PORT"]))


def fetch_tokens(base, count):
    """Fetch `count` real form tokens as a site rendering its own form would, several at a time."""

    def batch(n):
        with requests.Session() as session:
            return [session.get(f"{base}/api/forms/{FORM}", timeout=10).json()["token"] for _ in range(n)]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        chunks = pool.map(batch, [count // 8] * 8)
    return [token for chunk in chunks for token in chunk]


def write_bodies(name, tokens):
    path = WORK / f"{name}.bodies"
    run = secrets.token_hex(3)
    lines = [
        f"form_token={token}&lang=en&email=v{run}{n}%40example.com&first_name=Ada&consent=yes&website="
        for n, token in enumerate(tokens)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(url, bodies):
    threads = 2
    command = ["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", "bench/post.lua", url]
    env = {**os.environ, "BODIES": str(bodies), "THREADS": str(threads), "AGENT": BROWSER}
    output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    with (WORK / "wrk.txt").open("a") as log:
        log.write(output)
    return parse_wrk(output)


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "requests": total,
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def worker_rss_mb(master):
    children = subprocess.run(["ps", "--ppid", str(master.pid), "-o", "rss="], capture_output=True, text=True)
    sizes = [int(x) for x in children.stdout.split()]
    return max(sizes) / 1024 if sizes else 0.0


def page_weight(base):
    """Return (bytes of the form page with its CSS and JS, number of requests to other hosts)."""
    html = requests.get(f"{base}/f/{FORM}", timeout=10).text
    total = len(html.encode())
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js)[^"]*)"', html)
    foreign = [a for a in assets if a.startswith(("http://", "https://", "//")) and not a.startswith(base)]
    for asset in assets:
        if asset not in foreign:
            total += len(requests.get(base + asset if asset.startswith("/") else asset, timeout=10).content)
    return total, len(foreign)


def stored_count(database_url):
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return connection.execute("SELECT count(*) FROM submissions").fetchone()[0]
    import psycopg

    url, _, options = database_url.partition("?")
    schema = options.split("%3D", 1)[1]
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), options=f"-csearch_path={schema}") as c:
        return c.execute("SELECT count(*) FROM submissions").fetchone()[0]


def measure_reference(name, naive_fake=None):
    servers, port = Servers(), free_port()
    try:
        env = {"PORT": str(port)}
        if naive_fake:
            env["NAIVE_ESPUTNIK_URL"] = start_fake(servers, latency=0.3)
        servers.start(name, [str(BIN / "gunicorn"), "bench.ceiling:app", "--config", "gunicorn.conf.py"], env=env)
        wait_until_up(f"http://127.0.0.1:{port}/f/x", timeout=30)
        bodies = write_bodies(name, [f"t{n}" for n in range(1000)])
        return wrk(f"http://127.0.0.1:{port}/f/{FORM}", bodies)
    finally:
        servers.stop()


def postgres_url():
    import psycopg

    schema = f"bench_{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    url = POSTGRES.replace("postgresql://", "postgresql+psycopg://")
    return f"{url}?options=-csearch_path%3D{schema}", schema


def drop_schema(schema):
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def measure_visitor_path(name, database_url):
    """Our POST /f/<form> with real tokens, validation and storage; the worker sends meanwhile to a 300 ms fake."""
    servers, port = Servers(), free_port()
    try:
        fake = start_fake(servers, latency=0.3)
        env = app_env(database_url, fake, port)
        flask_cli(env, "migrate")
        master = gunicorn(servers, name, "app:app", env)
        servers.start(f"{name}-worker", [str(BIN / "flask"), "--app", "app", "deliver"], env=env)
        base = f"http://127.0.0.1:{port}"
        weight, foreign = page_weight(base)
        tokens = fetch_tokens(base, int(os.environ.get("BENCH_TOKENS", "12000")))
        bodies = write_bodies(name, tokens)
        time.sleep(2.2)  # tokens younger than the minimum fill time are treated as bots
        before = stored_count(database_url)
        result = wrk(f"{base}/f/{FORM}", bodies)
        result["stored"] = stored_count(database_url) - before
        result["tokens"] = len(tokens)
        result["rss_mb"] = worker_rss_mb(master)
        result["page_bytes"], result["foreign_requests"] = weight, foreign
        return result
    finally:
        servers.stop()


def measure_delivery(database_url, backlog=4000, rate=190):
    """Drain a stored backlog against a fake answering in 50 ms that allows 200 calls per second."""
    servers = Servers()
    try:
        fake = start_fake(servers, latency=0.05, rate_limit=200)
        env = app_env(database_url, fake, free_port(), DELIVERY_RATE=rate, DELIVERY_CONCURRENCY=24)
        flask_cli(env, "migrate")
        seed = [sys.executable, "bench/seed.py", str(backlog)]
        subprocess.run(seed, cwd=ROOT, env={**os.environ, **env}, check=True)
        started = time.monotonic()
        servers.start("delivery-worker", [str(BIN / "flask"), "--app", "app", "deliver"], env=env)
        deadline = started + max(60, backlog / rate * 3)
        while time.monotonic() < deadline:
            stats = requests.get(f"{fake}/__stats", timeout=10).json()
            if stats["accepted"] >= backlog:
                break
            time.sleep(0.2)
        # From the first call to the last: the worker's start-up is not delivery.
        span = (stats["last_accepted_at"] or 0) - (stats["first_accepted_at"] or 0)
        return {
            "delivered": stats["accepted"],
            "seconds": span,
            "rate": (stats["accepted"] - 1) / max(span, 1e-9),
            "throttled": stats["statuses"].get("429", 0),
            "sent_twice": stats["accepted"] - stats["accepted_distinct"],
            "calls": stats["calls"],
        }
    finally:
        servers.stop()


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory = next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} × {cpu}, {int(memory) // 1024 // 1024} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {postgres}"
    )


def row(name, result, ceiling, naive):
    ratio = f"{result['rps'] / ceiling['rps']:.2f}" if ceiling else ""
    versus = f"{result['rps'] / naive['rps']:.0f}×" if naive else ""
    return f"| {name} | {result['rps']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} | {ratio} | {versus} |"


def report(results):
    ceiling, naive = results["ceiling"], results["naive"]
    sqlite, postgres, delivery = results["sqlite"], results.get("postgres"), results.get("delivery")
    processes, threads = os.environ.get("WEB_CONCURRENCY", "2"), os.environ.get("WEB_THREADS", "4")
    lines = [
        f"Connections: {CONNECTIONS}, {SECONDS} s per run, wrk with 2 threads; gunicorn as in the Procfile "
        f"(`gunicorn.conf.py`: {processes} processes × {threads} threads).",
        "",
        "| POST /f/<form> | requests/s | p50 ms | p99 ms | × ceiling | × naive |",
        "|---|---|---|---|---|---|",
        row("1. ceiling: bare Flask, 303 only", ceiling, None, None),
        row("2. naive: eSputnik (300 ms) called in the request", naive, ceiling, None),
        row("3a. ours, SQLite (fake eSputnik at 300 ms)", sqlite, ceiling, naive),
    ]
    if postgres:
        lines.append(row("3b. ours, PostgreSQL (fake eSputnik at 300 ms)", postgres, ceiling, naive))
    visitor = [r for r in (sqlite, postgres) if r]

    def each(show):
        return ", ".join(show(r) for r in visitor)

    lines += [
        "",
        "| check | result | target |",
        "|---|---|---|",
        f"| visitor path ÷ ceiling (SQLite{', PostgreSQL' if postgres else ''}) | "
        + each(lambda r: f"{r['rps'] / ceiling['rps']:.2f}")
        + " | ≥ 0.40 |",
        "| visitor path ÷ naive | " + each(lambda r: f"{r['rps'] / naive['rps']:.0f}") + " | ≥ 50 |",
        f"| p99 of the visitor POST at {CONNECTIONS} connections | "
        + each(lambda r: f"{r['p99']:.1f} ms")
        + " | ≤ 100 ms |",
        "| sign-ups stored during the runs (each a distinct address, real token) | "
        + each(lambda r: f"{r['stored']} of {r['requests']} requests")
        + " | all |",
    ]
    if delivery:
        lines.append(
            f"| 4. delivery of a {delivery['delivered']}-sign-up backlog, fake at 50 ms allowing 200/s | "
            f"{delivery['rate']:.0f} sign-ups/s, {delivery['throttled']} × 429, {delivery['sent_twice']} sent twice"
            " | ≥ 180/s, 0 × 429 |"
        )
    lines += [
        f"| 5. form page with its CSS and JS | {sqlite['page_bytes'] / 1000:.1f} kB, "
        f"{sqlite['foreign_requests']} third-party requests | ≤ 15 kB, 0 |",
        "| 5. resident memory of a web worker after its run | "
        + each(lambda r: f"{r['rss_mb']:.0f} MB")
        + " | ≤ 80 MB |",
    ]
    return "\n".join(lines)


def main():
    results = {"load": [os.getloadavg()[0]]}
    print(f"work files in {WORK}", flush=True)
    results["ceiling"] = measure_reference("ceiling")
    print("ceiling", results["ceiling"], flush=True)
    results["naive"] = measure_reference("naive", naive_fake=True)
    print("naive", results["naive"], flush=True)
    results["sqlite"] = measure_visitor_path("sqlite", f"sqlite:///{WORK / 'bench.sqlite3'}")
    print("sqlite", results["sqlite"], flush=True)
    try:
        url, schema = postgres_url()
    except Exception as exc:
        print(f"PostgreSQL not measured: {exc}", flush=True)
    else:
        try:
            results["postgres"] = measure_visitor_path("postgres", url)
            print("postgres", results["postgres"], flush=True)
        finally:
            drop_schema(schema)
        if ONLY != "visitor":
            url, schema = postgres_url()  # a fresh schema: the backlog is exactly the seeded one
            try:
                results["delivery"] = measure_delivery(url)
            finally:
                drop_schema(schema)
    if "delivery" not in results and ONLY != "visitor":
        results["delivery"] = measure_delivery(f"sqlite:///{WORK / 'delivery.sqlite3'}")
    print("delivery", results.get("delivery"), flush=True)
    results["load"].append(os.getloadavg()[0])
    table = report(results)
    print("\n" + table)
    write_report(table, results)


def write_report(table, results):
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else ""
    marker = "<!-- results -->"
    head = text.split(marker)[0] if marker in text else "# Benchmarks\n\n"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = f"BENCH_ONLY={ONLY} make bench" if ONLY else "make bench"
    load = ", ".join(f"{a:.1f}" for a in results["load"])
    body = (
        f"{marker}\n\nLast run: {stamp}, `{command}`, on {machine()}; load average (1 min) at start and end: "
        f"{load} (other work shares the cores).\n\n{table}\n"
    )
    path.write_text(head + body)
    (WORK / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
