"""The shared vocabulary of the market: the fixed catalog of urgent-service categories,
and the one key cities are compared by."""

from __future__ import annotations

import unicodedata

CATEGORIES: dict[str, str] = {
    "plumbing": "Сантехника",
    "electrical": "Электрика",
    "locksmith": "Вскрытие замков",
    "appliance_repair": "Ремонт техники",
    "computer_help": "Компьютерная помощь",
    "moving": "Грузчики и переезд",
    "cargo": "Грузоперевозки",
    "towing": "Эвакуатор и автопомощь",
    "cleaning": "Уборка",
    "courier": "Курьер и доставка",
    "handyman": "Мастер на час",
    "pet_care": "Помощь с животными",
    "tutoring": "Срочная консультация",
    "other": "Другое",
}


def display_city(city: str) -> str:
    """A city as shown: NFKC, invisible characters dropped, white space collapsed."""
    text = unicodedata.normalize("NFKC", city)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def normalize_city(city: str) -> str:
    """The one key cities are compared by, everywhere (orders, preferences, filters,
    notifications): :func:`display_city`, case-folded."""
    return display_city(city).casefold()
