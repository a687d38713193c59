"""The pause of delivery to one eSputnik account, shared by every worker through a flag row."""

import logging

from sqlalchemy import delete, select

from .. import db
from ..db import Flag, utcnow

log = logging.getLogger(__name__)

PAUSE_FLAG = "delivery_paused"  # the default account's; another account's is PAUSE_FLAG:<name>


def flag_name(account=None):
    """Return the name of the flag that pauses `account` (None: the default account)."""
    return PAUSE_FLAG if account is None else f"{PAUSE_FLAG}:{account}"


def _account_of(name):
    return None if name == PAUSE_FLAG else name.removeprefix(f"{PAUSE_FLAG}:")


def pause(reason, account=None):
    """Hold delivery to `account` for every worker, with the reason shown to operators."""
    name = flag_name(account)
    with db.session() as session, session.begin():
        flag = session.get(Flag, name)
        if flag is not None and flag.value == reason:
            return
        if flag is None:
            session.add(Flag(name=name, value=reason, updated_at=utcnow()))
        else:
            flag.value, flag.updated_at = reason, utcnow()
    if account is None:
        log.error("delivery paused: %s", reason)
    else:
        log.error("delivery to account %s paused: %s", account, reason)


def resume(account=None):
    """Lift the pause of `account`; its pending submissions are then delivered as usual."""
    with db.session() as session, session.begin():
        if session.execute(delete(Flag).where(Flag.name == flag_name(account))).rowcount:
            log.warning("delivery resumed" if account is None else f"delivery to account {account} resumed")


def paused_reasons():
    """Return {account (None: the default one): why its delivery is paused} for every paused account."""
    with db.session() as session:
        flags = session.execute(select(Flag.name, Flag.value).where(Flag.name.startswith(PAUSE_FLAG, autoescape=True)))
        return {_account_of(name): value for name, value in flags}


def paused_reason():
    """Return why delivery is paused (the default account's reason first, then another's), or None."""
    reasons = paused_reasons()
    if None in reasons:
        return reasons[None]
    name = next(iter(sorted(reasons)), None)
    return f"account {name}: {reasons[name]}" if name else None
