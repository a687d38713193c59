"""Page assets: the form's stylesheet and script served minified, every asset linked with a hash of its bytes."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, request, url_for

from . import minify
from .pages import EMBED_SCRIPT

bp = Blueprint("assets", __name__)
# Served minified from their readable sources in static/; other files are linked from static/ as they are.
MINIFIED = {"form.css": (minify.stylesheet, "text/css"), "form.js": (minify.script, "text/javascript")}
# An asset's URL carries a hash of the bytes served there, so a changed file gets a new URL.
ASSET_CACHE = "public, max-age=31536000, immutable"
# A hash that is not of these bytes comes from a page made by another release (during a rolling
# deploy, say): answer with what there is, but never let it be kept under that URL.
MISMATCH_CACHE = "no-cache"


def _served(filename):
    """Return the bytes served for static file `filename` and, for a minified one, its Script."""
    path = Path(current_app.static_folder) / filename
    if filename in MINIFIED:
        made, _mimetype = MINIFIED[filename]
        served = made(path)
        return served.body, served
    return path.read_bytes(), None


def warm():
    """Make every minified asset now, so that no visitor waits for the child process that makes the scripts."""
    for filename in MINIFIED:
        version(filename)
    minify.script(Path(current_app.static_folder) / EMBED_SCRIPT)


def version(filename):
    """Return the hash of the bytes served for static file `filename`, as its URL carries it."""
    path = Path(current_app.static_folder) / filename
    mtime = path.stat().st_mtime_ns
    return _version(str(path), mtime, filename)


@lru_cache(maxsize=32)
def _version(_path, _mtime, filename):
    body, _script = _served(filename)
    return hashlib.sha256(body).hexdigest()[:12]


@bp.app_context_processor
def asset_helpers():
    def asset_url(filename):
        """Return the URL of a static file (minified where it can be) with the hash of its bytes."""
        endpoint = "assets.minified" if filename in MINIFIED else "static"
        return url_for(endpoint, filename=filename, v=version(filename))

    return {"asset_url": asset_url}


def cache_control(filename):
    """Return the Cache-Control for `filename` asked for with this request's `v`."""
    asked = request.args.get("v")
    if not asked:
        return None
    return ASSET_CACHE if asked == version(filename) else MISMATCH_CACHE


@bp.get("/assets/<filename>")
def minified(filename):
    if filename not in MINIFIED:
        abort(404)
    body, script = _served(filename)
    response = current_app.response_class(body, mimetype=MINIFIED[filename][1])
    response.set_etag(script.etag)
    response.make_conditional(request)
    response.headers["Cache-Control"] = cache_control(filename) or "no-cache"
    return response


@bp.after_app_request
def cache_versioned_assets(response):
    if request.endpoint == "static" and response.status_code == 200:
        rule = cache_control(request.view_args["filename"])
        if rule:
            response.headers["Cache-Control"] = rule
    return response
