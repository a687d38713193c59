"""What every benchmark measurement uses: the work directory, processes started and stopped, the app's settings."""

import os
import platform
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
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
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


def start_fake(servers, latency, rate_limit=200, name="fake"):
    process = servers.start(
        name, [sys.executable, "bench/fake_server.py", f"--latency={latency}", f"--rate-limit={rate_limit}"]
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
