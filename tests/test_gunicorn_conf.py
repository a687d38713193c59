"""The web processes under gunicorn.conf.py: connections spread over every worker, one core each when cores are few."""

import http.client
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from signup import create_app, db
from signup.config import ROOT
from tests.conftest import FORMS_FILE, SECRET, free_port, missing_service, wait_for, workers_of

CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


@pytest.fixture(autouse=True)
def _linux():
    """Fail on CI, else skip loudly, where /proc and CPU affinity are missing."""
    if not CORES:
        missing_service("Linux's /proc and CPU affinity")


@pytest.fixture
def two_cores():
    """Pinning is shown on two cores: fail on CI, else skip loudly, on a machine that gives this process one."""
    if len(CORES) < 2:
        missing_service(f"two cores to pin workers to; this process may use {len(CORES)}")


def _connect(port):
    """Return an open keep-alive connection that has had one answer, or None while the server is not up."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        answer = connection.getresponse()
        answer.read()
        return connection if answer.status == 200 else None
    except OSError:
        connection.close()
        return None


def _answers(port):
    connection = _connect(port)
    if connection:
        connection.close()
    return connection is not None


def _answers_on(path):
    """Say whether the service answers /healthz on the Unix socket at `path`."""
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(5)
        try:
            client.connect(path)
            client.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
            return client.recv(64).split(b"\r\n")[0].endswith(b" 200 OK")
        except OSError:
            return False


def _listening_at(path):
    """Return the inodes of the Unix sockets listening at `path` (a listener's flags are 00010000)."""
    rows = (line.split() for line in Path("/proc/net/unix").read_text().splitlines()[1:])
    return {row[6] for row in rows if len(row) == 8 and row[7] == path and row[3] == "00010000"}


def _core_list(pid):
    """Return the cores a process may run on, as /proc shows them ("0" or "0-1")."""
    status = Path(f"/proc/{pid}/status").read_text()
    return status.split("Cpus_allowed_list:")[1].split()[0]


def _sockets(pid):
    """Return the inodes of the sockets a process holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _served_by(port, workers):
    """Count, for each worker, the established connections to `port` it holds."""
    established = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
            established.add(fields[9])
    return {pid: len(_sockets(pid) & established) for pid in workers}


@pytest.fixture
def serve(tmp_path, settings):
    """Start the service under gunicorn as the Procfile does, on the cores given, and stop it afterwards."""
    database = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    with create_app({**settings, "DATABASE_URL": database}, environ={"SECRET_KEY": SECRET}).app_context():
        db.migrate()
    started = []

    def start(cores, workers, bind=None):
        port = free_port()
        env = {
            **os.environ,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": database,
            "FORMS_FILE": str(FORMS_FILE),
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "counters"),
        }
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        master = subprocess.Popen(
            [gunicorn, "app:app", "--config", "gunicorn.conf.py", *(["--bind", bind] if bind else [])],
            cwd=ROOT,
            preexec_fn=lambda: os.sched_setaffinity(0, cores),  # as `taskset` would
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(master)
        ready = (lambda: _answers_on(bind.removeprefix("unix:"))) if bind else (lambda: _answers(port))
        assert wait_for(lambda: len(workers_of(master)) == workers and ready(), timeout=30), "no start"
        return master, port

    yield start
    for master in started:
        # SIGTERM: gunicorn's quick stop (SIGINT) waits out its graceful timeout once keep-alive connections were open.
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)


def test_persistent_connections_reach_every_worker(serve):
    # With one shared listening socket, the worker that woke first took all of them, every time.
    master, port = serve(CORES[:2], workers=2)
    connections = [_connect(port) for _ in range(24)]
    served = _served_by(port, workers_of(master))
    for connection in connections:
        connection.close()
    assert sum(served.values()) == 24 and all(served.values()), served


def test_with_no_more_cores_than_workers_each_worker_keeps_to_its_own(serve, two_cores):
    master, _ = serve(CORES[:2], workers=2)
    first, second = workers_of(master)
    assert {_core_list(first), _core_list(second)} == {str(CORES[0]), str(CORES[1])}
    # A worker that dies is replaced on the core it left free.
    core = _core_list(first)
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: len(set(workers_of(master)) - {first, second}) == 1, timeout=30)
    (replacement,) = set(workers_of(master)) - {first, second}
    assert _core_list(replacement) == core and _core_list(second) != core


def test_with_cores_to_spare_the_scheduler_places_the_worker(serve, two_cores):
    master, _ = serve(CORES[:2], workers=1)
    (worker,) = workers_of(master)
    both = f"{CORES[0]}-{CORES[1]}" if CORES[1] == CORES[0] + 1 else f"{CORES[0]},{CORES[1]}"
    assert _core_list(worker) == both


def test_on_a_unix_socket_the_workers_share_one(serve, tmp_path):
    # Each worker binding its own would remove its sibling's socket file, leaving that worker unreachable.
    path = str(tmp_path / "web.sock")
    serve(CORES[:2], workers=2, bind=f"unix:{path}")
    assert len(_listening_at(path)) == 1 and _answers_on(path)
