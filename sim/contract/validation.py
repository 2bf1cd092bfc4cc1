"""Schema and semantic validation of a sweep request.

The JSON Schema (``sim/request_schema.json``, draft-04 because API Gateway's
request models speak draft-04) is checked first, collecting every error; then
the rules a schema cannot express. Each problem becomes one message
``<path>: <rule in plain words>``, sorted by path, e.g.
``dimensions.num_drivers[2]: must be an integer >= 1 (got number 0)``.

Decisions written down here:

- Integers are JSON integers: ``100.0`` and ``true`` are rejected where an
  integer is expected, as draft-04 validators (jsonschema's Draft4Validator,
  API Gateway's model validator) treat them. Clients send ``100``.
- NaN and Infinity are not JSON. Python's parser accepts them (and turns
  ``1e400`` into Infinity) and the schema's bounds cannot see NaN, so every
  non-finite number is rejected explicitly.
- A point needs ``warmup_min < horizon_min``. Every combination of the swept
  values (or defaults) must satisfy it, i.e. the largest warm-up must be below
  the smallest horizon; otherwise the offending warm-up values are named (or,
  when only horizon_min is swept, the offending horizons).
- Repeated keys in a JSON object are rejected: a gateway and the parent could
  otherwise read different values from the same body.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft4Validator

from sim.contract.exceptions import RequestInvalid
from sim.contract.messages import (
    DIMENSIONS,
    Path,
    Problem,
    describe,
    echo,
    is_int,
    messages,
    pattern_rule,
    quote,
    translate,
    truncate,
)
from sim.contract.types import SweepRequest
from sim.market.spec import MAX_POINT_REQUESTS
from sim.params import ParamValue, parameters, request_schema

GRID_POINT_CAP = 100_000
"""At most this many work units (grid points x replications) per request."""
VOLUME_FACTORS = ("num_riders", "request_rate", "horizon_min")


class _DuplicateKey(ValueError):
    """A JSON object repeated a key (raised from the decoder hook)."""


def parse_request_text(text: str | bytes | None) -> SweepRequest:
    """Decode a raw HTTP body and validate it (what the parent handler and the local CLI call)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RequestInvalid([f"body: must be UTF-8 text (bad byte at offset {error.start})"]) from error
    if text is None or not text.strip():
        raise RequestInvalid(["body: required (the request body is empty)"])
    try:
        body = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise RequestInvalid(
            [f"body: must be JSON ({error.msg} at line {error.lineno} column {error.colno})"]
        ) from error
    except _DuplicateKey as error:
        raise RequestInvalid([f"body: repeats the key {quote(str(error))} in one JSON object"]) from error
    except ValueError as error:  # an integer literal over Python's 4300-digit limit
        raise RequestInvalid(["body: must be JSON with numbers of at most 4300 digits"]) from error
    except RecursionError as error:
        raise RequestInvalid(["body: JSON is nested too deeply"]) from error
    return parse_request(body)


def parse_request(body: Any) -> SweepRequest:
    """Validate a decoded JSON body and return the request with typed values.

    Raises RequestInvalid with every problem found (schema, then semantics),
    sorted by field path, each naming the path and the rule.
    """
    if not isinstance(body, Mapping):
        raise RequestInvalid([f"body: must be a JSON object (got {describe(body)})"])
    problems = _non_finite(body)
    seen = {path for path, _ in problems}
    for error in _validator().iter_errors(body):
        translated = list(translate(error)) or [(tuple(error.absolute_path), truncate(error.message))]
        problems.extend(p for p in translated if p[0] not in seen)
    problems.extend(_semantic_problems(body, {path for path, _ in problems}))
    if problems:
        raise RequestInvalid(messages(problems))
    return SweepRequest(
        run_id=body["run_id"],
        dimensions={name: tuple(_typed(name, v) for v in values) for name, values in body["dimensions"].items()},
        shard_count=body["shard_count"],
        seed=body["seed"],
        failure_injection_shards=frozenset(body.get("failure_injection_shards", ())),
        replications=body.get("replications", 1),
        common_random_numbers=body.get("common_random_numbers", False),
    )


def _typed(name: str, value: ParamValue) -> ParamValue:
    """The value as its parameter's Python type; -0.0 becomes 0.0 so equal requests stay equal."""
    python_type = parameters()[name].python_type
    return python_type(value) + 0.0 if python_type is float else python_type(value)


@cache
def _validator() -> Draft4Validator:
    return Draft4Validator(request_schema())


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _non_finite(body: Mapping[str, Any]) -> list[Problem]:
    """Every NaN or Infinity in the body, found without recursion."""
    problems: list[Problem] = []
    stack: list[tuple[Path, Any]] = [((), body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            problems.append((path, f"must be a finite number (got {echo(value)}; NaN and Infinity are not JSON)"))
        elif isinstance(value, Mapping):
            stack.extend(((*path, str(k)), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return problems


def _semantic_problems(body: Mapping[str, Any], flagged: set[Path]) -> list[Problem]:
    """The rules the schema cannot express; each runs only on the parts it needs being well-formed."""
    problems: list[Problem] = []
    run_id, pattern = body.get("run_id"), request_schema()["properties"]["run_id"]["pattern"]
    # A schema pattern is searched, and '$' also matches before a trailing newline: "abc\n" passes it.
    if isinstance(run_id, str) and ("run_id",) not in flagged and not re.fullmatch(pattern, run_id):
        problems.append((("run_id",), pattern_rule(pattern, run_id)))
    dimensions = body.get("dimensions")
    shard_count = body.get("shard_count") if ("shard_count",) not in flagged else None
    if not is_int(shard_count):
        shard_count = None
    swept = list(dimensions.values()) if isinstance(dimensions, Mapping) else []
    replications = _replications(body, flagged)
    if swept and all(isinstance(v, list) and v for v in swept) and replications is not None:
        problems.extend(_work_unit_problems(math.prod(len(v) for v in swept), replications, shard_count))
    injected = body.get("failure_injection_shards")
    if shard_count is not None and isinstance(injected, list):
        for i, shard_id in enumerate(injected):
            path = ("failure_injection_shards", i)
            if path not in flagged and is_int(shard_id) and shard_id >= shard_count:
                problems.append((path, f"must be < shard_count ({shard_count}): shard ids are 0-{shard_count - 1}"))
    if isinstance(dimensions, Mapping):
        problems.extend(_warmup_problems(dimensions, flagged))
        problems.extend(_volume_problems(dimensions, flagged))
    return problems


def _replications(body: Mapping[str, Any], flagged: set[Path]) -> int | None:
    """The well-formed replication count (1 when absent), or None when the schema flagged it."""
    replications = body.get("replications", 1)
    return replications if is_int(replications) and ("replications",) not in flagged else None


def _work_unit_problems(points: int, replications: int, shard_count: int | None) -> list[Problem]:
    """The cap counts work units (points x replications); a shard needs at least one unit."""
    units = points * replications
    if units > GRID_POINT_CAP:
        if replications == 1:
            rule = f"the grid has {points} points (product of list lengths); at most {GRID_POINT_CAP}"
        else:
            rule = (
                f"the grid has {points} points x {replications} replications = {units} work units; "
                f"at most {GRID_POINT_CAP}"
            )
        return [(DIMENSIONS, rule)]
    if shard_count is not None and shard_count > units:
        if replications == 1:
            return [(("shard_count",), f"must be <= the number of grid points ({points})")]
        return [(("shard_count",), f"must be <= the number of work units ({points} points x {replications})")]
    return []


def _volume_problems(dimensions: Mapping[str, Any], flagged: set[Path]) -> list[Problem]:
    """Every request of a point becomes a trip_data row: the busiest point must stay within the engine's bound."""
    busiest = 1.0
    for name in VOLUME_FACTORS:
        values = dimensions.get(name, [parameters()[name].default])
        if ("dimensions", name) in flagged or not isinstance(values, list):
            return []
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if not numbers:
            return []
        busiest *= max(numbers)
    if busiest <= MAX_POINT_REQUESTS:
        return []
    factors = " x ".join(VOLUME_FACTORS)
    return [(DIMENSIONS, f"{factors} is {busiest:.3g} for the busiest point; at most {MAX_POINT_REQUESTS}")]


def _warmup_problems(dimensions: Mapping[str, Any], flagged: set[Path]) -> list[Problem]:
    """Every point needs warmup_min < horizon_min: the largest warm-up below the smallest horizon."""
    warmups, horizons = _int_values(dimensions, "warmup_min", flagged), _int_values(dimensions, "horizon_min", flagged)
    if not warmups or not horizons:
        return []
    if "warmup_min" in dimensions:
        shortest = min(h for _, h in horizons)
        source = "" if "horizon_min" in dimensions else ", its default"
        return [
            (("dimensions", "warmup_min", i), f"must be < horizon_min for every point (smallest {shortest}{source})")
            for i, w in warmups
            if w >= shortest
        ]
    warmup = warmups[0][1]
    return [
        (("dimensions", "horizon_min", i), f"must be > warmup_min ({warmup}, its default)")
        for i, h in horizons
        if h <= warmup
    ]


def _int_values(dimensions: Mapping[str, Any], name: str, flagged: set[Path]) -> list[tuple[int, int]]:
    """(position, value) of the well-formed integers of a dimension, or its default when not swept."""
    values = dimensions.get(name, [parameters()[name].default])
    if not isinstance(values, list) or ("dimensions", name) in flagged:
        return []
    return [(i, v) for i, v in enumerate(values) if is_int(v) and ("dimensions", name, i) not in flagged]
