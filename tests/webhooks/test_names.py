"""Splitting a full name into first and last name."""

import pytest

from signup.webhooks.names import split


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("", None, None),
        ("   ", None, None),
        ("Ada", "Ada", None),
        ("Ada Lovelace", "Ada", "Lovelace"),
        ("  Ada   Lovelace ", "Ada", "Lovelace"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Maria de la Cruz", "Maria", "de la Cruz"),
        ("Dr. Ada Lovelace", "Ada", "Lovelace"),
        ("Lovelace, Ada", "Ada", "Lovelace"),
        ("Lovelace,", "Lovelace", None),
        ("Олена Петренко", "Олена", "Петренко"),
        ("Шевченко Тарас Григорович", "Тарас", "Шевченко"),
        ("Тарас Григорович Шевченко", "Тарас", "Шевченко"),
        ("Иванова Мария Петровна", "Мария", "Иванова"),
        ("Мария Петровна Иванова", "Мария", "Иванова"),
        ("Іван Петрович", "Іван", "Петрович"),
        ("пані Олена Коваль", "Олена", "Коваль"),
    ],
)
def test_split(full, first, last):
    assert split(full) == (first, last)


def test_surname_first_when_the_label_says_so():
    assert split("Коваль Олена", surname_first=True) == ("Олена", "Коваль")
    assert split("Коваль Олена Іванівна", surname_first=True) == ("Олена", "Коваль")
