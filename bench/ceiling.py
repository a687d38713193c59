"""Reference apps for the benchmark: the bare ceiling, and the naive integration calling eSputnik inline.

`gunicorn bench.ceiling:app` answers every POST with 303, doing nothing else. With
NAIVE_ESPUTNIK_URL set it first calls that eSputnik (the fake) inside the request, as a form
handler without a queue would.
"""

import os

import requests
from flask import Flask, redirect, request

app = Flask(__name__)
ESPUTNIK = os.environ.get("NAIVE_ESPUTNIK_URL")
session = requests.Session()


@app.post("/f/<form_id>")
def submit(form_id):
    if ESPUTNIK:
        body = {"contact": {"channels": [{"type": "email", "value": request.form.get("email", "")}]}}
        session.post(f"{ESPUTNIK}/api/v1/contact/subscribe", json=body, auth=("api", "bench-key"), timeout=10)
    return redirect(f"/f/{form_id}/thanks", 303)
