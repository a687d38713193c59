"""Liveness and readiness probes for the process manager and the load balancer."""

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from .. import db
from ..delivery import account_status, outbox
from . import metrics

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        db.ping()
        paused = outbox.paused_reasons()
    except SQLAlchemyError as exc:
        log.error("readiness: database unreachable: %s", type(exc).__name__)
        return jsonify(status="unavailable", database="unreachable"), 503
    dry_run = current_app.config["DRY_RUN"]
    # The keys of old stay the default account's; each account in use has its own entry beside them.
    default = account_status.status(None, paused=paused)
    answer = {"status": "ok", "database": "ok", "delivery": default.delivery(dry_run), "reason": default.paused}
    # Account names are an agency's clients: shown to whoever may read /metrics, not to the world.
    if metrics.may_read():
        answer["accounts"] = {
            found.name: {"delivery": found.delivery(dry_run), "reason": found.paused}
            for found in account_status.in_use(paused)
        }
    return jsonify(answer)
