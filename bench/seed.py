"""Store a backlog of distinct sign-ups to one form (newsletter unless named) through the real intake."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from signup import create_app, intake
from signup.forms.catalogue import find


def main(count, form_id="newsletter"):
    app = create_app()
    with app.app_context():
        form = find(form_id)
        for n in range(count):
            intake.accept(form, {"email": f"backlog{n}@example.com", "first_name": "Ada"}, "uk", source="api")


if __name__ == "__main__":
    main(int(sys.argv[1]), *sys.argv[2:3])
