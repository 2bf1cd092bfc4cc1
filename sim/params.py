"""The simulation's parameters, read from the request schema so that bounds,
types and defaults are written down exactly once (``request_schema.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

ParamValue = int | float | bool
ParamKind = Literal["integer", "number", "boolean"]

SCHEMA_FILE = Path(__file__).resolve().parent / "request_schema.json"

POLICY_PARAMETERS = ("commission_rate", "base_fare", "per_block_fare", "reservation_wage", "batch_dispatch")
"""What the platform sets (prices, pay, dispatch) rather than the market it serves. With common
random numbers, points that differ only in these see identical requests and initial driver
placement in each replicate (the engine draws both without reading them)."""


@dataclass(frozen=True)
class Parameter:
    """One simulation parameter: its JSON type, bounds and default."""

    name: str
    kind: ParamKind
    default: ParamValue
    description: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False

    @property
    def python_type(self) -> type:
        return {"integer": int, "number": float, "boolean": bool}[self.kind]


@cache
def request_schema() -> dict[str, Any]:
    """The request JSON Schema (draft-04), parsed once."""
    return json.loads(SCHEMA_FILE.read_text())


@cache
def parameters() -> dict[str, Parameter]:
    """Every simulation parameter, in the schema's order."""
    dimensions = request_schema()["properties"]["dimensions"]["properties"]
    catalogue: dict[str, Parameter] = {}
    for name, spec in dimensions.items():
        items = spec["items"]
        catalogue[name] = Parameter(
            name=name,
            kind=items["type"],
            default=spec["default"],
            description=spec["description"],
            minimum=items.get("minimum"),
            maximum=items.get("maximum"),
            exclusive_minimum=bool(items.get("exclusiveMinimum", False)),
        )
    return catalogue


def defaults() -> dict[str, ParamValue]:
    """Every parameter at its default value."""
    return {name: p.default for name, p in parameters().items()}
