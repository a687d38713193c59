"""WSGI entry point: `gunicorn app:app`, `flask --app app ...`."""

import sys

from signup import create_app
from signup.config import ConfigError
from signup.forms.catalogue import CatalogueError

try:
    app = create_app()
except (ConfigError, CatalogueError) as exc:
    # One line per mistake, each naming the variable or the form and key, then stop.
    sys.stderr.write("".join(f"configuration error: {line}\n" for line in exc.problems))
    sys.exit(2)
