"""`make bench`: the visitor path and delivery, measured in one run beside a bare ceiling and a naive integration.

Everything runs on loopback and is bounded in time. The table is printed and written, with the
machine's description, to docs/benchmarks.md.
"""

import concurrent.futures
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import time

import requests
from delivery import delivery_report, measure_all_delivery, postgres_database, sqlite_database
from harness import (
    BIN,
    ROOT,
    WORK,
    Servers,
    app_env,
    drop_schema,
    flask_cli,
    free_port,
    gunicorn,
    machine,
    postgres_url,
    start_fake,
    wait_until_up,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
FORM = "newsletter"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
ONLY = os.environ.get("BENCH_ONLY", "")  # "delivery" or "visitor": only those rows
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # the visitor rows are measured this many times; the median is kept


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
    env = {**os.environ, "BODIES": str(bodies), "AGENT": BROWSER}
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
        tokens = fetch_tokens(base, int(os.environ.get("BENCH_TOKENS", "20000")))
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


def row(name, result, ceiling, naive):
    ratio = f"{result['rps'] / ceiling['rps']:.2f}" if ceiling else ""
    versus = f"{result['rps'] / naive['rps']:.0f}×" if naive else ""
    runs = ", ".join(f"{rps:,.0f}" for rps in result["all_rps"])
    return (
        f"| {name} | {result['rps']:,.0f} | {runs} | {result['p50']:.1f} | {result['p99']:.1f} | {ratio} | {versus} |"
    )


def report(results):
    ceiling, naive = results["ceiling"], results["naive"]
    sqlite, postgres = results["sqlite"], results.get("postgres")
    processes, threads = os.environ.get("WEB_CONCURRENCY", "2"), os.environ.get("WEB_THREADS", "4")
    lines = [
        f"Connections: {CONNECTIONS}, {SECONDS} s per run, wrk with 2 threads; gunicorn as in the Procfile "
        f"(`gunicorn.conf.py`: {processes} processes × {threads} threads). Each row was measured "
        f"{len(ceiling['all_rps'])} times, the rows taking turns; the table gives the run with the median "
        "throughput (its latencies), and the ratios between medians.",
        "",
        "| POST /f/<form> | requests/s (median) | every run | p50 ms | p99 ms | × ceiling | × naive |",
        "|---|---|---|---|---|---|---|",
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
        "| sign-ups stored during the runs, all rounds (each a distinct address, real token) | "
        + each(lambda r: f"{r['stored']} of {r['requests']} requests")
        + " | all |",
        f"| 5. form page with its CSS and JS | {sqlite['page_bytes'] / 1000:.1f} kB, "
        f"{sqlite['foreign_requests']} third-party requests | ≤ 15 kB, 0 |",
        "| 5. resident memory of a web worker after its run (the largest) | "
        + each(lambda r: f"{r['rss_mb']:.0f} MB")
        + " | ≤ 80 MB |",
    ]
    return "\n".join(lines)


def main():
    print(f"work files in {WORK}", flush=True)
    results = {"load_at_start": os.getloadavg()[0]}
    if ONLY not in ("", "delivery", "visitor"):
        sys.exit(f"BENCH_ONLY: expected delivery or visitor, got {ONLY!r}")
    sections = {}
    if ONLY != "delivery":
        results.update(measure_visitor_rows())
        sections["<!-- results -->"] = report(results)
    if ONLY != "visitor":
        try:
            drop_schema(postgres_url()[1])  # can a schema be made here?
            databases, stored_in = postgres_database, "PostgreSQL"
        except Exception as exc:
            print(f"PostgreSQL not measured, delivery on SQLite: {exc}", flush=True)
            databases, stored_in = sqlite_database("delivery"), "SQLite"
        results["delivery"] = measure_all_delivery(databases)
        sections["<!-- delivery -->"] = delivery_report(results["delivery"], stored_in)
    for table in sections.values():
        print("\n" + table)
    write_report(sections, results)


def measure_visitor_rows():
    """Measure the visitor rows ROUNDS times, interleaved (a slower turn of the machine then slows every row alike)."""
    rounds = []
    for n in range(ROUNDS):
        print(f"round {n + 1} of {ROUNDS}", flush=True)
        rounds.append(measure_visitor_round())
    return {name: combined([r[name] for r in rounds]) for name in rounds[0]}


def measure_visitor_round():
    results = {}
    results["ceiling"] = measure_reference("ceiling")
    print("ceiling", results["ceiling"], flush=True)
    results["naive"] = measure_reference("naive", naive_fake=True)
    print("naive", results["naive"], flush=True)
    results["sqlite"] = measure_visitor_path("sqlite", f"sqlite:///{WORK / f'bench-{secrets.token_hex(3)}.sqlite3'}")
    print("sqlite", results["sqlite"], flush=True)
    try:
        url, schema = postgres_url()
    except Exception as exc:
        print(f"PostgreSQL not measured: {exc}", flush=True)
        return results
    try:
        results["postgres"] = measure_visitor_path("postgres", url)
        print("postgres", results["postgres"], flush=True)
    finally:
        drop_schema(schema)
    return results


def combined(runs):
    """Return the median run by throughput, with every run's throughput, the totals stored and answered, peak memory."""
    median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
    result = {**median, "all_rps": [r["rps"] for r in runs]}
    for total in ("stored", "requests"):
        if total in median:
            result[total] = sum(r[total] for r in runs)
    if "rss_mb" in median:
        result["rss_mb"] = max(r["rss_mb"] for r in runs)
    return result


def write_report(sections, results):
    """Rewrite each section of docs/benchmarks.md that was measured, from its marker to the next marker."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = (results["load_at_start"], os.getloadavg()[0])
    command = f"BENCH_ONLY={ONLY} make bench" if ONLY else "make bench"
    for marker, table in sections.items():
        if marker not in text:
            text = text.rstrip("\n") + f"\n\n{marker}\n"
        head, _, rest = text.partition(marker)
        tail = rest[rest.index("<!-- ", 1) :] if "<!-- " in rest[1:] else ""
        body = (
            f"{marker}\n\nLast run: {stamp}, `{command}`, on {machine()}; load average {load[0]:.1f} at its "
            f"start, {load[1]:.1f} at its end (other programs share the cores).\n\n{table}\n"
        )
        text = head + body + ("\n" + tail if tail else "")
    path.write_text(text)
    (WORK / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
