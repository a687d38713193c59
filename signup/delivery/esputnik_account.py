"""What the key's eSputnik account holds, for the account check: its custom contact fields and its segments."""

from dataclasses import dataclass

from . import esputnik

ADDRESSBOOKS_PATH = "/api/v1/addressbooks"
GROUPS_PATH = "/api/v1/groups"
GROUPS_PAGE = 500  # eSputnik's largest page of segments
MAX_GROUP_PAGES = 100


class AccountError(Exception):
    """eSputnik could not be asked about the account; the message says why, without the key."""


@dataclass(frozen=True)
class FieldInfo:
    """A custom contact field of the account: its name, type (TEXTFIELD, DATE, ...) and allowed values."""

    name: str
    type: str
    values: tuple = ()


def _listed(value):
    # eSputnik sends a collection of one as the bare object, and none as nothing.
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _json_of(config, path, params=None):
    try:
        response = esputnik.get(config, path, params)
    except esputnik.http_library().RequestException as exc:
        raise AccountError(esputnik.failure(exc).detail) from None
    if response.status_code != 200:
        raise AccountError(esputnik.classify(response).detail)
    try:
        return response.json()
    except ValueError:
        raise AccountError(f"{path} answered with something that is not JSON") from None


def _field(raw):
    description = raw.get("description") if isinstance(raw.get("description"), dict) else {}
    allowed = description.get("allowedValues") if isinstance(description.get("allowedValues"), dict) else {}
    values = tuple(str(v) for v in _listed(allowed.get("possibleValues")) if not isinstance(v, (dict, list)))
    return FieldInfo(str(raw.get("name") or ""), str(description.get("type") or "").upper(), values)


def custom_fields(config):
    """Return {field id: FieldInfo} of every custom contact field of the account (GET addressbooks)."""
    data = _json_of(config, ADDRESSBOOKS_PATH)
    found = {}
    for book in _listed(data.get("addressBook") if isinstance(data, dict) else None):
        for group in _listed(book.get("fieldGroups") if isinstance(book, dict) else None):
            for raw in _listed(group.get("fields") if isinstance(group, dict) else None):
                try:
                    # Numbers may come as strings ("7200").
                    found[int(str(raw.get("id")))] = _field(raw)
                except (AttributeError, ValueError):
                    continue
    return found


def segment_names(config):
    """Return the names of every segment of the account (GET groups, page by page)."""
    names = set()
    for page in range(MAX_GROUP_PAGES):
        rows = _listed(_json_of(config, GROUPS_PATH, {"startindex": page * GROUPS_PAGE + 1, "maxrows": GROUPS_PAGE}))
        names.update(str(row["name"]) for row in rows if isinstance(row, dict) and row.get("name") is not None)
        if len(rows) < GROUPS_PAGE:
            break
    return names
