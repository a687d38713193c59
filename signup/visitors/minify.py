"""Scripts and stylesheets as served: minified once per process from the readable sources in static/."""

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Script:
    """A minified script or stylesheet and the ETag of its bytes."""

    body: bytes
    etag: str


# The parser and its tables take 4.5 MB that a web worker would then hold for good; a child
# process pays that once per worker, for the two scripts, and exits.
CHILD = """
import sys
from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print
sys.stdout.write(minify_print(es5(sys.stdin.read()), obfuscate=True, obfuscate_globals=False))
"""


def minify(source):
    """Return JavaScript `source` without comments and spaces, its local names shortened (in a child process)."""
    done = subprocess.run(  # noqa: S603  (our own interpreter and program; the source goes in on stdin)
        [sys.executable, "-I", "-c", CHILD],
        input=source.encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"minifying a script failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout.decode("utf-8")


def minify_css(source):
    """Return CSS `source` without comments and the spaces it does not need."""
    from rcssmin import cssmin

    return cssmin(source)


@lru_cache(maxsize=8)
def _minified(path, _mtime, how):
    body = how(Path(path).read_text(encoding="utf-8")).encode("utf-8")
    return Script(body=body, etag=hashlib.sha256(body).hexdigest()[:16])


def script(path):
    """Return the minified Script of the JavaScript file at `path`, made again when the file changes."""
    return _minified(str(path), Path(path).stat().st_mtime_ns, minify)


def stylesheet(path):
    """Return the minified stylesheet at `path` as a Script, made again when the file changes."""
    return _minified(str(path), Path(path).stat().st_mtime_ns, minify_css)
