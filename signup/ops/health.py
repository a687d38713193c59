"""Liveness and readiness probes for the process manager and the load balancer."""

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from .. import db
from ..delivery import outbox

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        db.ping()
        paused = outbox.paused_reason()
    except SQLAlchemyError as exc:
        log.error("readiness: database unreachable: %s", type(exc).__name__)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(
        status="ok",
        database="ok",
        delivery="paused" if paused else ("dry-run" if current_app.config["DRY_RUN"] else "running"),
        reason=paused,
    )
