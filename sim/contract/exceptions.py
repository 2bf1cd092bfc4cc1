"""Errors of the request contract."""

from __future__ import annotations

from sim.exceptions import SweepError


class RequestInvalid(SweepError):
    """The request broke the schema or a semantic rule; ``errors`` lists every problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors
