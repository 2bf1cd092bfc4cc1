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
- Bounded answers, in bounded time, whatever the body: the shape is checked first
  (a JSON object, no unknown fields or parameters, no list longer than its
  ``maxItems``), in time proportional to the number of keys, and a body with a
  problem there gets only those messages; no per-item rule runs on a list that is
  too long. Then the schema, with the dimensions' per-item rules (type, bounds,
  uniqueness: read from the schema file, checked by hand because jsonschema's
  error objects cost ~50 us each) over at most ``maxItems`` values per list. At
  most ``MESSAGE_LIMIT`` messages are listed, then ``and N more``.
- A request whose heaviest shard would not finish well inside the child's
  timeout is refused, naming the smallest shard_count that fits
  (``sim.contract.workload``).
"""

from __future__ import annotations

import copy
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
    MESSAGE_LIMIT,
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
    typed_rule,
    unknown_names,
)
from sim.contract.types import SweepRequest
from sim.contract.workload import workload_problem
from sim.market.spec import MAX_POINT_REQUESTS
from sim.params import ParamValue, parameters, request_schema

GRID_POINT_CAP = 100_000
"""At most this many work units (grid points x replications) per request."""
BODY_BYTE_CAP = 1_048_576
"""Largest request body read (1 MiB). The largest valid request is far smaller: at most 1000 values
per list, the grid's product capped, about 60 KB as compact JSON."""
VOLUME_FACTORS = ("num_riders", "request_rate", "horizon_min")


class _DuplicateKey(ValueError):
    """A JSON object repeated a key (raised from the decoder hook)."""


def parse_request_text(text: str | bytes | None) -> SweepRequest:
    """Decode a raw HTTP body and validate it (what the parent handler and the local CLI call)."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass")) if text else 0
    if size > BODY_BYTE_CAP:
        raise RequestInvalid([f"body: must be at most {BODY_BYTE_CAP} bytes (got {size})"])
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
    shape, unlisted, too_long = _shape_problems(body)
    if too_long:
        raise RequestInvalid(messages(shape, unlisted))
    problems = [*shape, *_non_finite(body)]
    seen = {path for path, _ in problems}
    # Unknown names are reported above; jsonschema would spell out every one of them again.
    for error in _validator().iter_errors(_known_fields(body)):
        translated = list(translate(error)) or [(tuple(error.absolute_path), truncate(error.message))]
        problems.extend(p for p in translated if p[0] not in seen)
    items, unlisted_items, broken = _item_problems(body.get("dimensions"), seen)
    problems.extend(items)
    problems.extend(_semantic_problems(body, {path for path, _ in problems} | broken))
    if problems:
        raise RequestInvalid(messages(problems, unlisted + unlisted_items))
    request = SweepRequest(
        run_id=body["run_id"],
        dimensions={name: tuple(_typed(name, v) for v in values) for name, values in body["dimensions"].items()},
        shard_count=body["shard_count"],
        seed=body["seed"],
        failure_injection_shards=frozenset(body.get("failure_injection_shards", ())),
        replications=body.get("replications", 1),
        common_random_numbers=body.get("common_random_numbers", False),
    )
    # Last, on a request valid in every other way: the estimate needs every value well-formed.
    too_heavy = workload_problem(request.dimensions, request.shard_count, request.replications)
    if too_heavy:
        raise RequestInvalid([f"shard_count: {too_heavy}"])
    return request


def _typed(name: str, value: ParamValue) -> ParamValue:
    """The value as its parameter's Python type; -0.0 becomes 0.0 so equal requests stay equal."""
    python_type = parameters()[name].python_type
    return python_type(value) + 0.0 if python_type is float else python_type(value)


@cache
def _validator() -> Draft4Validator:
    """The schema without the dimensions' per-item rules (``_item_problems`` checks those)."""
    schema = copy.deepcopy(request_schema())
    for spec in schema["properties"]["dimensions"]["properties"].values():
        del spec["items"], spec["uniqueItems"]
    return Draft4Validator(schema)


ITEM_KEYWORDS = frozenset({"type", "minimum", "maximum", "exclusiveMinimum"})


@cache
def _item_schemas() -> dict[str, dict[str, Any]]:
    """Each dimension's item schema; only the keywords ``_item_problems`` implements may appear."""
    items = {name: spec["items"] for name, spec in request_schema()["properties"]["dimensions"]["properties"].items()}
    for name, item in items.items():
        if set(item) - ITEM_KEYWORDS or not request_schema()["properties"]["dimensions"]["properties"][name].get(
            "uniqueItems"
        ):
            raise AssertionError(f"dimensions.{name}: item keywords {sorted(item)} are not all checked by hand")
    return items


def _known_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """What jsonschema is given: the body without unknown fields and parameters (reported already),
    every value nested deeper than the schema reaches replaced by a small one of the same JSON type
    (jsonschema prints a whole value into each error; a wrong type is reported as "a list" anyway)."""
    properties = request_schema()["properties"]
    known = {k: _stub(v, properties[k]) for k, v in body.items() if k in properties}
    dimensions = body.get("dimensions")
    if isinstance(dimensions, Mapping):
        names = properties["dimensions"]["properties"]
        known["dimensions"] = {k: _stub(v, names[k]) for k, v in dimensions.items() if k in names}
    return known


def _stub(value: Any, spec: Mapping[str, Any]) -> Any:
    """``value`` with the containers the schema does not expect at its level made small (distinct
    list items stay distinct, so no repeat is invented)."""
    if spec.get("type") == "array" and isinstance(value, list):
        return [
            [i] if isinstance(v, list) else {"item": i} if isinstance(v, Mapping) else v for i, v in enumerate(value)
        ]
    if spec.get("type") != "object" and isinstance(value, Mapping | list):
        return [] if isinstance(value, list) else {}
    return value


def _shape_problems(body: Mapping[str, Any]) -> tuple[list[Problem], int, bool]:
    """Unknown fields and parameters, and lists longer than their maxItems: checked before anything
    else, without looking inside any list. Returns the problems, how many more unknown names there
    are, and whether to stop there (a list too long, or more unknown names than an answer lists)."""
    schema = request_schema()
    problems: list[Problem] = []
    unlisted, too_long = 0, False
    scopes: list[tuple[Path, Mapping[str, Any], Mapping[str, Any]]] = [((), body, schema["properties"])]
    dimensions = body.get("dimensions")
    if isinstance(dimensions, Mapping):
        scopes.append((DIMENSIONS, dimensions, schema["properties"]["dimensions"]["properties"]))
    for path, instance, properties in scopes:
        unknown = [name for name in instance if name not in properties]
        problems.extend(list(unknown_names(path, unknown, sorted(properties)))[:MESSAGE_LIMIT])
        if len(unknown) > MESSAGE_LIMIT:  # the answer is full: nothing else is looked at
            unlisted += len(unknown) - MESSAGE_LIMIT
            too_long = True
        for name, spec in properties.items():
            value, limit = instance.get(name), spec.get("maxItems")
            if isinstance(value, list) and limit is not None and len(value) > limit:
                problems.append(((*path, name), f"must list at most {limit} values (got {len(value)})"))
                too_long = True
    return problems, unlisted, too_long


def _item_problems(dimensions: Any, flagged: set[Path]) -> tuple[list[Problem], int, set[Path]]:
    """The dimensions' per-item rules of the schema (type, bounds, unique values), as draft-04 reads them.

    Per list and rule, only the first MESSAGE_LIMIT problems are spelled out (no answer lists more);
    the rest are counted. Returns the problems, the count of the rest and every value's path that broke a rule."""
    if not isinstance(dimensions, Mapping):
        return [], 0, set()
    problems: list[Problem] = []
    unlisted, paths = 0, set[Path]()
    for name, item in _item_schemas().items():
        values = dimensions.get(name)
        if not isinstance(values, list):
            continue
        broken: list[tuple[int, str]] = []
        for i, value in enumerate(values):
            keyword = _broken_item_rule(item, value)
            if keyword is not None and ("dimensions", name, i) not in flagged:
                broken.append((i, keyword))
        repeats = _repeats([v if not isinstance(v, Mapping | list) else _Unique(i) for i, v in enumerate(values)])
        unlisted += max(0, len(broken) - MESSAGE_LIMIT) + max(0, len(repeats) - MESSAGE_LIMIT)
        paths.update(("dimensions", name, i) for i, _ in broken)
        for i, keyword in broken[:MESSAGE_LIMIT]:
            problems.append(
                (("dimensions", name, i), f"must be {typed_rule(item, keyword)} (got {describe(values[i])})")
            )
        for later, first in repeats[:MESSAGE_LIMIT]:
            problems.append(
                (("dimensions", name, later), f"duplicate value {echo(values[later])} (already at [{first}])")
            )
    return problems, unlisted, paths


class _Unique:
    """Stands for a list or object item: those already break the item's type, so they never repeat."""

    def __init__(self, position: int) -> None:
        self.position = position


def _repeats(values: list[Any]) -> list[tuple[int, int]]:
    """(later, first) positions of repeated values; 1 and 1.0 are equal, true and 1 are not."""
    first_seen: dict[Any, int] = {}
    pairs = []
    for i, value in enumerate(values):
        key = (type(value) is bool, value)
        if key in first_seen:
            pairs.append((i, first_seen[key]))
        else:
            first_seen[key] = i
    return pairs


def _broken_item_rule(item: Mapping[str, Any], value: Any) -> str | None:
    """The first rule of the item schema that ``value`` breaks: "type", "minimum", "maximum" or None."""
    kind = item["type"]
    if kind == "boolean":
        return None if isinstance(value, bool) else "type"
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind == "integer" and not is_int(value)):
        return "type"
    low, high = item.get("minimum"), item.get("maximum")
    if low is not None and (value <= low if item.get("exclusiveMinimum") else value < low):
        return "minimum"
    if high is not None and value > high:
        return "maximum"
    return None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _non_finite(body: Mapping[str, Any]) -> list[Problem]:
    """Every NaN or Infinity where the request holds numbers: its fields, their list items and the
    dimensions' values (deeper, a value already breaks a type rule). Runs after the shape check,
    so every list here is within its maxItems."""
    properties = request_schema()["properties"]
    places: list[tuple[Path, Any, Mapping[str, Any]]] = [
        ((k,), body[k], spec) for k, spec in properties.items() if k in body and k != "dimensions"
    ]
    dimensions = body.get("dimensions")
    if isinstance(dimensions, Mapping):
        places.extend(
            (("dimensions", k), dimensions[k], spec)
            for k, spec in properties["dimensions"]["properties"].items()
            if k in dimensions
        )
    problems: list[Problem] = []
    for path, value, spec in places:
        array = isinstance(value, list) and spec.get("type") == "array"
        items = enumerate(value) if array else [(None, value)]
        for i, item in items:
            if isinstance(item, float) and not math.isfinite(item):
                where = path if i is None else (*path, i)
                problems.append((where, f"must be a finite number (got {echo(item)}; NaN and Infinity are not JSON)"))
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
