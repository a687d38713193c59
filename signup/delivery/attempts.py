"""What is kept of each delivery attempt: its row in the attempts table and its log line."""

import logging
import secrets

log = logging.getLogger("signup.delivery")


def row(outcome):
    """Return the attempts-table row of one finished call."""
    answer = outcome.answer
    return {
        "submission_id": outcome.item.id,
        "started_at": outcome.started_at,
        "duration_ms": outcome.duration_ms,
        "status": answer.status,
        "outcome": answer.outcome,
        "detail": answer.detail,
    }


def log_line(item, answer, duration_ms, level):
    """Write the line of one delivery attempt at `level`, under an id of its own as a request's line has."""
    log.log(
        level,
        "delivery attempt: %s",
        answer.outcome,
        extra={
            "event": "delivery_attempt",
            "request_id": secrets.token_hex(8),
            "submission": item.id,
            "form": item.form_id,
            "attempt": item.attempts + 1,
            "outcome": answer.outcome,
            "status": answer.status,
            "duration_ms": duration_ms,
            "detail": answer.detail,
        },
    )
