"""Schema and semantic validation of a sweep request.

The JSON Schema (``sim/request_schema.json``, draft-04 because API Gateway's
request models speak draft-04) is checked first, collecting every error; then
the rules a schema cannot express. Each problem becomes one message
``<path>: <rule in plain words>``, sorted by path, e.g.
``dimensions.num_drivers[2]: must be an integer >= 1 (got 0)``.

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
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from jsonschema import Draft4Validator, ValidationError

from sim.contract.exceptions import RequestInvalid
from sim.contract.types import SweepRequest
from sim.params import parameters, request_schema

GRID_POINT_CAP = 100_000

Path = tuple[str | int, ...]
Problem = tuple[Path, str]

_ECHO_LIMIT = 40
_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "string": "a string",
    "array": "a list",
    "object": "a JSON object",
}
_PATTERN_WORDS = {
    "^[a-z0-9][a-z0-9-]{2,62}$": "lower-case letters, digits and '-', 3-63 characters, starting with a letter or digit",
}
_DIMENSIONS = ("dimensions",)


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
        raise RequestInvalid([f"body: repeats the key {_quote(str(error))} in one JSON object"]) from error
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
        raise RequestInvalid([f"body: must be a JSON object (got {_describe(body)})"])
    problems = _non_finite(body)
    seen = {path for path, _ in problems}
    for error in _validator().iter_errors(body):
        translated = list(_translate(error)) or [(tuple(error.absolute_path), _truncate(error.message))]
        problems.extend(p for p in translated if p[0] not in seen)
    problems.extend(_semantic_problems(body, {path for path, _ in problems}))
    if problems:
        ordered = sorted(set(problems), key=lambda p: (_path_key(p[0]), p[1]))
        raise RequestInvalid([f"{_render(path)}: {text}" for path, text in ordered])
    catalogue = parameters()
    return SweepRequest(
        run_id=body["run_id"],
        dimensions={
            name: tuple(catalogue[name].python_type(v) for v in values) for name, values in body["dimensions"].items()
        },
        shard_count=body["shard_count"],
        seed=body["seed"],
        failure_injection_shards=frozenset(body.get("failure_injection_shards", ())),
    )


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
            problems.append((path, f"must be a finite number (got {_echo(value)}; NaN and Infinity are not JSON)"))
        elif isinstance(value, Mapping):
            stack.extend(((*path, str(k)), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return problems


def _translate(error: ValidationError) -> Iterator[Problem]:
    """One jsonschema error as plain-word problems (several for required and additionalProperties)."""
    path: Path = tuple(error.absolute_path)
    schema, value, instance = error.schema, error.validator_value, error.instance
    if error.validator == "required":
        for name in value:
            if isinstance(instance, Mapping) and name not in instance:
                yield (*path, name), "required"
    elif error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for name in sorted(set(instance) - set(allowed)):
            if path == _DIMENSIONS:
                yield path, f"unknown parameter {_quote(name)}; valid parameters: {', '.join(allowed)}"
            else:
                yield path, f"unexpected field {_quote(name)}; allowed fields: {', '.join(allowed)}"
    elif error.validator == "uniqueItems":
        for later, first in _duplicates(instance):
            yield (*path, later), f"duplicate value {_echo(instance[later])} (already at [{first}])"
    elif error.validator in ("type", "minimum", "maximum"):
        yield path, f"must be {_typed_rule(schema, error.validator)} (got {_describe(instance)})"
    elif error.validator == "pattern":
        words = _PATTERN_WORDS.get(value)
        yield path, f"must match {value}" + (f" ({words})" if words else "") + f" (got {_describe(instance)})"
    elif error.validator in ("minItems", "maxItems"):
        bound = "at least" if error.validator == "minItems" else "at most"
        yield path, f"must list {bound} {value} value{'s' * (value != 1)} (got {len(instance)})"
    elif error.validator == "minProperties" and path == _DIMENSIONS:
        yield path, f"must sweep at least {value} parameter; valid parameters: {', '.join(sorted(parameters()))}"
    elif error.validator in ("minProperties", "maxProperties"):
        bound = "at least" if error.validator == "minProperties" else "at most"
        yield path, f"must have {bound} {value} field{'s' * (value != 1)} (got {len(instance)})"
    elif error.validator == "enum":
        yield path, f"must be one of {', '.join(_echo(v) for v in value)} (got {_describe(instance)})"
    else:
        yield path, f"breaks the schema rule {error.validator!r}: {_truncate(error.message)}"


def _typed_rule(schema: Mapping[str, Any], keyword: str) -> str:
    """The rule of a typed (possibly bounded) value in words, naming the bound that was broken."""
    kind = schema.get("type", "")
    words = _TYPE_WORDS.get(kind, f"of type {kind}")
    low, high = schema.get("minimum"), schema.get("maximum")
    low_op = ">" if schema.get("exclusiveMinimum") else ">="
    if keyword == "minimum":
        return f"{words} {low_op} {low}"
    if keyword == "maximum":
        return f"{words} <= {high}"
    if low is not None and high is not None:
        return f"{words} {low_op} {low} and <= {high}"
    return words


def _semantic_problems(body: Mapping[str, Any], flagged: set[Path]) -> list[Problem]:
    """The rules the schema cannot express; each runs only on the parts it needs being well-formed."""
    problems: list[Problem] = []
    dimensions = body.get("dimensions")
    shard_count = body.get("shard_count") if ("shard_count",) not in flagged else None
    if not _is_int(shard_count):
        shard_count = None
    swept = list(dimensions.values()) if isinstance(dimensions, Mapping) else []
    if swept and all(isinstance(v, list) and v for v in swept):
        points = math.prod(len(v) for v in swept)
        if points > GRID_POINT_CAP:
            problems.append(
                (_DIMENSIONS, f"the grid has {points} points (product of list lengths); at most {GRID_POINT_CAP}")
            )
        elif shard_count is not None and shard_count > points:
            problems.append((("shard_count",), f"must be <= the number of grid points ({points})"))
    injected = body.get("failure_injection_shards")
    if shard_count is not None and isinstance(injected, list):
        for i, shard_id in enumerate(injected):
            path = ("failure_injection_shards", i)
            if path not in flagged and _is_int(shard_id) and shard_id >= shard_count:
                problems.append((path, f"must be < shard_count ({shard_count}): shard ids are 0-{shard_count - 1}"))
    if isinstance(dimensions, Mapping):
        problems.extend(_warmup_problems(dimensions, flagged))
    return problems


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
    return [(i, v) for i, v in enumerate(values) if _is_int(v) and ("dimensions", name, i) not in flagged]


def _duplicates(values: Sequence[Any]) -> list[tuple[int, int]]:
    """(later, first) positions of repeated values; 1 and 1.0 are equal, true and 1 are not."""
    first_seen: dict[Any, int] = {}
    pairs = []
    for i, v in enumerate(values):
        key: Any = (type(v) is bool, v)
        try:
            hash(key)
        except TypeError:
            key = (None, json.dumps(v, sort_keys=True, default=str))
        if key in first_seen:
            pairs.append((i, first_seen[key]))
        else:
            first_seen[key] = i
    return pairs


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _describe(value: Any) -> str:
    """What the client sent, in JSON words: ``boolean true``, ``string "x"``, ``number 1.5``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {_echo(value)}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    kind = "string" if isinstance(value, str) else "number" if _is_number(value) else type(value).__name__
    return f"{kind} {_echo(value)}"


def _echo(value: Any) -> str:
    """A value as JSON text, cut short so a huge input is not echoed back."""
    try:
        return _truncate(json.dumps(value, default=str))
    except ValueError:  # an integer too long to print
        return "(a very long number)"


def _quote(name: str) -> str:
    return repr(_truncate(name))


def _truncate(text: str) -> str:
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 3] + "..."


def _path_key(path: Path) -> tuple[tuple[int, int, str], ...]:
    """Natural order: fields by name, list positions by number ([2] before [10])."""
    return tuple((1, p, "") if isinstance(p, int) else (0, 0, p) for p in path)


def _render(path: Path) -> str:
    """``dimensions.num_drivers[2]``; the empty path is ``(root)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(root)"
