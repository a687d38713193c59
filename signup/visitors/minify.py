"""The embed script as served: minified once per process from the readable source in static/."""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Script:
    """A minified script and the ETag of its bytes."""

    body: bytes
    etag: str


def minify(source):
    """Return JavaScript `source` without comments and spaces, its local names shortened."""
    # Imported here: only the first request for the script needs the parser.
    from calmjs.parse import es5
    from calmjs.parse.unparsers.es5 import minify_print

    return minify_print(es5(source), obfuscate=True, obfuscate_globals=False)


@lru_cache(maxsize=4)
def _minified(path, _mtime):
    body = minify(Path(path).read_text(encoding="utf-8")).encode("utf-8")
    return Script(body=body, etag=hashlib.sha256(body).hexdigest()[:16])


def script(path):
    """Return the minified Script of the file at `path`, made again when the file changes."""
    return _minified(str(path), Path(path).stat().st_mtime_ns)
