"""CPU a delivery worker spends per sign-up sent: `python bench/worker_cpu.py [sqlite|postgres]`.

A backlog of 4,000 sign-ups is stored, one worker sends them at DELIVERY_RATE=190 to the fake
eSputnik answering in 300 ms (as during the visitor rows of `make bench`), and the worker's CPU
time over 10 s of sending is divided by the sign-ups the fake accepted meanwhile.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from harness import BIN, ROOT, WORK, Servers, app_env, drop_schema, flask_cli, free_port, postgres_url, start_fake

SECONDS = 10.0


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def accepted(fake):
    return requests.get(f"{fake}/__stats", timeout=10).json()["accepted_distinct"]


def main(database):
    url, schema = postgres_url() if database == "postgres" else (f"sqlite:///{WORK / 'cpu.sqlite3'}", None)
    servers = Servers()
    try:
        fake = start_fake(servers, latency=0.3, rate_limit=200)
        env = app_env(url, fake, free_port(), DELIVERY_RATE=190)
        flask_cli(env, "migrate")
        seed = [sys.executable, "bench/seed.py", "4000"]
        subprocess.run(seed, cwd=ROOT, env={**os.environ, **env}, check=True, stderr=subprocess.DEVNULL)
        worker = servers.start("worker", [str(BIN / "flask"), "--app", "app", "deliver"], env=env)
        time.sleep(3)  # started, and sending at its pace
        sent, cpu, started = accepted(fake), cpu_seconds(worker.pid), time.monotonic()
        time.sleep(SECONDS)
        sent, cpu = accepted(fake) - sent, cpu_seconds(worker.pid) - cpu
        rate = sent / (time.monotonic() - started)
        print(f"{database}: {rate:.0f} sign-ups/s sent, {cpu / sent * 1000:.2f} ms of worker CPU per sign-up")
    finally:
        servers.stop()
        if schema:
            drop_schema(schema)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite")
