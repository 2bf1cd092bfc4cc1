"""How amounts, sizes and durations are written for people."""

from __future__ import annotations


def usd(amount: float) -> str:
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.6f}"


def size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"
