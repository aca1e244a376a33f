"""The fixed catalog of urgent-service categories."""

from __future__ import annotations

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


def is_category(slug: str) -> bool:
    return slug in CATEGORIES
