"""Scripts and stylesheets as served: minified once per process from the readable sources in static/."""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Script:
    """A minified script or stylesheet and the ETag of its bytes."""

    body: bytes
    etag: str


def minify(source):
    """Return JavaScript `source` without comments and spaces, its local names shortened."""
    # Imported here: only the first request for a script needs the parser.
    from calmjs.parse import es5
    from calmjs.parse.unparsers.es5 import minify_print

    return minify_print(es5(source), obfuscate=True, obfuscate_globals=False)


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
