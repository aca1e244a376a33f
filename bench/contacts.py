"""The contact detector's cost per 2 000-character text: median and p99, in µs.

Run: ``python bench/contacts.py`` (no database, no server). Texts: ordinary job
descriptions (prices, times, addresses, sizes, model numbers) and adversarial
ones (digit soup, dots, dictated numbers, look-alike letters, messenger words),
each cut to 2 000 characters; the detector is warmed up first.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable

from srochno.contacts import find_contact

DIGITS = re.compile(r"\d+")

LENGTH = 2000
ROUNDS = 300

ORDINARY_PARTS = [
    "Срочно нужен сантехник! Течёт кран на кухне, ул. Ленина 12 к3, кв. 45, подъезд 3, "
    "этаж 7, домофон 45В. Бюджет 1 500 - 2 000 ₽, сегодня с 18:00 до 21:00. ",
    "Переезд 01.12.2026: 2 грузчика на 3 часа, шкаф 200x60x236, диван 3х1 м. "
    "Оплата 5000-7000 руб. ",
    "Починить ноутбук Lenovo IdeaPad 5 14ALC05, не включается после обновления "
    "Windows 11 (0xc000000e), ошибка E4, код F05. ",
    "Уборка квартиры 54 м², 2 комнаты, окна 4 шт., 10.12.2025 с 9 до 12, от 3000 ₽. ",
    "Need a plumber today 15:30-17:00, flat 45, 3rd floor, budget 2000-2500 rub. ",
    "Авто А123ВС 777, VIN XTA21099043576123, замена колодок, артикул 0986494524. ",
]
ADVERSARIAL_PARTS = [
    "1 2 3 4 5 6 ",
    "восемь девять один два три ",
    "a.b,c .d ",
    "8x9 ₽ 1 и 2 ",
    "@ a b c ",
    "тг вк max ",
    "o1 l2 З3 ",
    "12.05.2025 10:00-18:00 ",
    "Ⅷ Ⅸ VIII ",
    "ivan собака точка ",
]


def text_of(parts: list[str], shift: int) -> str:
    text = ""
    index = shift
    while len(text) < LENGTH:
        text += parts[index % len(parts)]
        index += 1
    return text[:LENGTH]


def measure(detect: Callable[[str], object], texts: list[str]) -> tuple[float, float, float, float]:
    """Median and p99 of the thread's CPU time and of the wall time, in µs.

    CPU time (``time.thread_time_ns``) is what the detector costs; wall time also holds
    the waits for the CPU on a shared machine.
    """
    for text in texts:
        detect(text)
    cpu: list[float] = []
    wall: list[float] = []
    for round_ in range(ROUNDS):
        text = texts[round_ % len(texts)]
        started_cpu = time.thread_time_ns()
        started = time.perf_counter_ns()
        detect(text)
        wall.append((time.perf_counter_ns() - started) / 1000)
        cpu.append((time.thread_time_ns() - started_cpu) / 1000)
    cpu.sort()
    wall.sort()
    p99 = int(ROUNDS * 0.99) - 1
    return statistics.median(cpu), cpu[p99], statistics.median(wall), wall[p99]


def one_pass(text: str) -> object:
    """The yardstick: one ``re.findall`` over the text, the cheapest full pass there is."""
    return DIGITS.findall(text)


def main() -> None:
    sets = {
        "ordinary": [text_of(ORDINARY_PARTS, shift) for shift in range(len(ORDINARY_PARTS))],
        "adversarial": [
            text_of(ADVERSARIAL_PARTS, shift) for shift in range(len(ADVERSARIAL_PARTS))
        ],
        "ordinary + a phone at the end": [
            text[:-20] + " 8 999 123 45 67 ok."
            for text in [text_of(ORDINARY_PARTS, shift) for shift in range(len(ORDINARY_PARTS))]
        ],
    }
    print(f"python {sys.version.split()[0]}, {ROUNDS} runs per set, {LENGTH} characters")
    print("| texts | CPU median µs | CPU p99 µs | wall median µs | wall p99 µs |")
    print("|---|---|---|---|---|")
    for name, texts in sets.items():
        figures = measure(find_contact, texts)
        print(f"| {name} | " + " | ".join(f"{value:.0f}" for value in figures) + " |")
    figures = measure(one_pass, sets["ordinary"])
    print(
        "| yardstick: one `re.findall(r'\\d+')` pass, ordinary | "
        + " | ".join(f"{value:.0f}" for value in figures)
        + " |"
    )


if __name__ == "__main__":
    main()
