"""Finding the contact in a plugin's items: by the form's mapping, by our own names, then by key, label and value."""

import re

from ..validation import clean_phone
from . import names

NEGATIVE = {"consent", "agree", "agreement", "subscribe", "subscription", "optin", "newsletter", "згода", "согласие"}
FILLER = {
    "your", "ваше", "ваш", "ваша", "твоє", "твое", "enter", "please", "введіть", "введите", "вкажіть", "укажите",
    "the", "mf", "listing", "names", "input", "field", "text", "contact", "customer", "client", "billing",
    "required", "optional", "обовязково", "обязательно",
}  # fmt: skip
EMAIL_PARTS = ("email", "пошт", "почт", "мейл", "емайл", "імейл")
PHONE_PARTS = ("phone", "телефон", "mobile", "мобільн", "мобильн", "whatsapp", "viber")
PHONE_WORDS = {"tel", "тел", "mob", "моб", "cell", "gsm", "sms"}
FIRST = {"first", "firstname", "fname", "given", "givenname", "forename", "namefirst"}
LAST = {"last", "lastname", "lname", "surname", "family", "familyname", "namelast", "прізвище", "фамилия", "фамілія"}
MIDDLE = {"middle", "middlename", "patronymic", "побатькові", "отчество"}
FULL = {
    "full", "fullname", "namesurname", "nameandsurname", "firstlastname", "firstandlastname",
    "імятапрізвище", "імяіпрізвище", "імяпрізвище", "имяифамилия", "имяфамилия",
}  # fmt: skip
SURNAME_FIRST = {
    "піб", "фио", "фіо", "прізвищеімя", "прізвищетаімя", "прізвищеімяпобатькові",
    "фамилияимя", "фамилияиимя", "фамилияимяотчество",
}  # fmt: skip
AMBIGUOUS_NAME = {"name", "імя", "имя"}  # a first name beside a last-name box, else a whole name
ROLES = ((FIRST, "first"), (LAST, "last"), (MIDDLE, "middle"), (FULL, "full"), (SURNAME_FIRST, "surname_first"))
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
WORD_SPLIT = re.compile(r"[\W_]+")
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# An address is at most 254 characters; measuring first keeps EMAIL_SHAPE's backtracking short.
MAX_EMAIL = 254
PHONE_SHAPE = re.compile(r"^\+?[\d\s()\-]{7,24}$")


def words(text):
    """Return the lower-case words of a key or label: `names[firstName]` gives names, first, name."""
    text = CAMEL.sub(" ", text or "").lower().replace("ё", "е")
    text = re.sub(r"['’ʼ`]", "", text)
    return [w for w in WORD_SPLIT.split(text) if w and not w.isdigit()]


def role_of(text):
    """Return what a key or label asks for (email, phone, first, last, full, name, ...) or None."""
    found = words(text)
    if not found or NEGATIVE & set(found):
        return None
    compact = "".join(found)
    if any(part in compact for part in EMAIL_PARTS) or "mail" in found:
        return "email"
    if any(part in compact for part in PHONE_PARTS) or PHONE_WORDS & set(found):
        return "phone"
    core = "".join(w for w in found if w not in FILLER)
    for vocabulary, role in ROLES:
        if core in vocabulary:
            return role
    return "name" if core in AMBIGUOUS_NAME else None


def item_role(item):
    """Return an item's role from its field type, label, last key segment, or whole key, in that order."""
    if item.kind in ("email", "tel"):
        return "email" if item.kind == "email" else "phone"
    last_segment = item.key.rsplit("[", 1)[-1].rstrip("]")
    for text in (item.label, last_segment, item.key):
        role = role_of(text) if text else None
        if role:
            return role
    return None


def text_of(value):
    """Return a payload value as text (a list of choices joined with commas), or None for nested data."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value if str(v).strip())
    return None


def _key(text):
    return " ".join((text or "").split()).casefold()


def _mapped(mapping, items, raw, wanted):
    by_key = {_key(k): target for k, target in mapping.items()}
    used = set()
    for item in items:
        target = by_key.get(_key(item.key)) or by_key.get(_key(item.label))
        value = text_of(item.value)
        if not target or value is None or not value.strip():
            continue
        used.add(id(item))
        if target == "full_name":
            first, last = names.split(value)
            _fill(raw, first_name=first, last_name=last)
        elif target == "groups":
            raw.setdefault(target, item.value if isinstance(item.value, list) else value)
        elif target in wanted:
            raw.setdefault(target, value)
    return used


def _looks_like_phone(value, region):
    """Tell whether a value is written as a phone number: bare digits may as well be an order number."""
    value = value.strip()
    written_as_phone = value.startswith("+") or any(c in value for c in " ()-")
    digits = sum(c.isdigit() for c in value)
    return written_as_phone and bool(PHONE_SHAPE.match(value)) and digits >= 7 and bool(clean_phone(value, region)[0])


def _pick(keyed, others, good):
    """Prefer a keyed item with a good value, then any item with a good value, then a keyed one anyway."""
    return (
        next((v for v in keyed if good(v)), None)
        or next((v for v in others if good(v)), None)
        or next(iter(keyed), None)
    )


def _recognise(items, raw, wanted, region):
    roles = {}
    for item in items:
        value = text_of(item.value)
        if value and value.strip():
            roles.setdefault(item_role(item), []).append(value.strip())
    free = [text_of(i.value).strip() for i in items if not i.meta and item_role(i) is None and text_of(i.value)]
    if "email" in wanted and "email" not in raw:
        found = _pick(roles.get("email", []), free, lambda v: len(v) <= MAX_EMAIL and bool(EMAIL_SHAPE.match(v)))
        if found:
            raw["email"] = found
    if "phone" in wanted and "phone" not in raw:
        found = _pick(roles.get("phone", []), free, lambda v: _looks_like_phone(v, region))
        if found:
            raw["phone"] = found
    _recognise_names(roles, raw)


def _recognise_names(roles, raw):
    first = (roles.get("first") or [None])[0]
    last = (roles.get("last") or [None])[0]
    ambiguous = (roles.get("name") or [None])[0]
    if first is None and last is not None:
        first, ambiguous = ambiguous, None
    whole, surname_first = ambiguous or (roles.get("full") or [None])[0], False
    if whole is None and roles.get("surname_first"):
        whole, surname_first = roles["surname_first"][0], True
    if whole and (first is None or last is None):
        split_first, split_last = names.split(whole, surname_first=surname_first)
        first, last = first or split_first, last or split_last
    _fill(raw, first_name=first, last_name=last)


def _fill(raw, **found):
    for name, value in found.items():
        if value:
            raw.setdefault(name, value)


def extract(form, items):
    """Return raw values by our field names, found in a plugin's items; unknown keys are left out."""
    wanted = set(form.fields)
    raw = {}
    used = _mapped(form.webhook_fields, items, raw, wanted)
    remaining = [item for item in items if id(item) not in used]
    for item in remaining:
        name = item.key.casefold()
        value = text_of(item.value)
        if not item.meta and name in wanted and value is not None and value.strip():
            raw.setdefault(name, value)
    contact = [item for item in remaining if not item.meta and item.key.casefold() not in wanted]
    _recognise(contact, raw, wanted, form.phone_region)
    return {name: value for name, value in raw.items() if name in wanted or name == "groups"}
