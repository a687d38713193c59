"""Gunicorn settings for the `web` process; every value can be overridden by the environment."""

import ctypes
import ctypes.util
import glob
import os
import tempfile

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new connections
# over them. With one shared socket, the worker that woke first took a whole burst of connections:
# behind persistent connections (a proxy's, or a load test's) one process served everything.
# Only for TCP addresses gunicorn opens itself (see on_starting).
reuse_port = True
# The application writes one JSON line per request (with a request id, without the query string,
# where webhook tokens travel), so gunicorn's own access line would only repeat it.
accesslog = None
# Each worker process keeps its Prometheus counters in files here, and /metrics adds them up,
# so a scrape shows the same totals whichever process answers it.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="signup-metrics-")


M_ARENA_MAX = -8  # glibc's mallopt parameter


def _cap_malloc_arenas(most):
    """Let the workers forked from here share `most` malloc arenas instead of one per thread (glibc only)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(M_ARENA_MAX, most)
    except (OSError, AttributeError, TypeError):
        pass  # another C library: nothing to cap


# Each thread that allocates would get an arena of its own, about 0.4 MB more per thread in every
# worker; two are enough for threads that mostly wait (MALLOC_ARENA_MAX, if set, decides).
_cap_malloc_arenas(int(os.environ.get("MALLOC_ARENA_MAX", "2")))


def _sockets_of_their_own(server):
    """Say whether each worker may open its own listening socket: TCP addresses only, none handed over.

    A worker binding a Unix socket would remove its sibling's file, and sockets handed over by
    systemd or by a re-executed master would be ignored.
    """
    handed_over = os.environ.get("LISTEN_FDS") or os.environ.get("GUNICORN_FD")
    return not handed_over and not any(str(a).startswith(("unix:", "fd://")) for a in server.cfg.bind)


def on_starting(server):
    """Start the counters from zero (files left by an earlier run would be added in); choose the sockets."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for leftover in glob.glob(os.path.join(directory, "*.db")):
        os.remove(leftover)
    if server.cfg.reuse_port and not _sockets_of_their_own(server):
        server.cfg.set("reuse_port", False)


def _core_for_next_worker(server):
    """Return the core the worker about to start should keep to, or None to leave it to the scheduler."""
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else []
    if not allowed or server.num_workers < len(allowed):
        return None  # cores to spare: pinning would only take choices away from the scheduler
    taken = [getattr(sibling, "core", None) for sibling in server.WORKERS.values()]
    return min(allowed, key=lambda core: (taken.count(core), core))


# A worker's threads take turns holding the GIL; on a busy machine the scheduler moves them from
# core to core, and each handover then crosses cores: a bare Flask worker answered 2,100 requests/s
# so, 3,800/s kept to one core. When there are no more cores than web processes, each keeps to one.
def pre_fork(server, worker):
    """Choose the new worker's core in the master, which knows the cores its siblings keep to."""
    worker.core = _core_for_next_worker(server)


def post_fork(server, worker):
    """Keep the new worker, and the threads it will start, to its core."""
    if getattr(worker, "core", None) is not None:
        os.sched_setaffinity(0, {worker.core})


def post_worker_init(worker):
    """Make the minified assets before the first request, in each worker (see signup/visitors/minify.py)."""
    app = worker.wsgi
    if "assets" not in getattr(app, "blueprints", {}):
        return  # another application under these settings (the benchmark's bare reference)
    from signup.visitors import assets

    with app.app_context():
        assets.warm()
