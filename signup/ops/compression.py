"""Brotli or gzip for text answers, through Flask-Compress, except on the admin pages (BREACH)."""

from flask import request
from flask_compress import Compress

compress = Compress()
SETTINGS = {
    "COMPRESS_REGISTER": False,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_STREAMS": False,
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "text/plain",
    ],
    # Below this a compressed answer saves less than its headers and the work cost.
    "COMPRESS_MIN_SIZE": 500,
}
# The admin pages carry a session-bound CSRF token beside text from the request (the search box):
# compressed, their lengths could leak the token to someone who can watch the traffic (BREACH).
UNCOMPRESSED_BLUEPRINTS = {"admin"}


def _compress(response):
    if request.blueprint in UNCOMPRESSED_BLUEPRINTS:
        return response
    if response.is_streamed and response.mimetype in compress.compress_mimetypes_set:
        _read_whole(response)
    return compress.after_request(response)


def _read_whole(response):
    """Read a file answer from static/ (a few kB) into memory and close the file, so it compresses in one piece."""
    source = response.response
    try:
        response.direct_passthrough = False
        response.set_data(b"".join(source))
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def init_app(app):
    """Compress `app`'s text answers for clients that accept br or gzip; registered first, so it runs last."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    compress.init_app(app)
    app.after_request(_compress)
