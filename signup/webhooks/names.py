"""Splitting a full name typed into one box into a first and a last name."""

import re

TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "пан", "пані", "г-н", "г-жа"}
# Words that start a surname in many languages: "Ludwig van Beethoven", "Maria de la Cruz".
PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "da", "di", "du", "la", "le", "dos", "das", "ten", "ter"}
PATRONYMIC = re.compile(r"(?:ович|евич|євич|йович|ьович|ич|івна|ївна|овна|евна|ична|інична)$")


def _is_patronymic(word):
    return bool(PATRONYMIC.search(word.lower())) and len(word) > 5


def _without_titles(words):
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return words


def split(full, surname_first=False):
    """Return (first, last) from a full name; either may be None.

    "Ada Lovelace" gives first Ada, last Lovelace; "Lovelace, Ada" and, with `surname_first`
    (a field labelled ПІБ or ФИО), "Shevchenko Taras Hryhorovych" give the surname as last name.
    Three Ukrainian or Russian words are ordered by where the patronymic stands.
    """
    text = " ".join((full or "").split())
    if "," in text:
        last, _comma, first = text.partition(",")
        return (_one(first), _one(last)) if _one(first) else (_one(last), None)
    words = _without_titles(text.split())
    if not words:
        return None, None
    if len(words) == 1:
        return words[0], None
    if len(words) == 3 and _is_patronymic(words[2]) and not _is_patronymic(words[1]):
        surname_first = True  # "Шевченко Тарас Григорович": surname, given name, patronymic
    elif len(words) == 3 and _is_patronymic(words[1]):
        return words[0], words[2]  # "Тарас Григорович Шевченко"
    if surname_first:
        return words[1], words[0]
    for index, word in enumerate(words[1:-1], start=1):
        if word.lower() in PARTICLES:
            return " ".join(words[:index]), " ".join(words[index:])
    return " ".join(words[:-1]), words[-1]


def _one(text):
    text = " ".join(text.split())
    return text or None
