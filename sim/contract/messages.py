"""Problems in plain words: jsonschema errors translated by keyword, field paths
rendered as ``dimensions.num_drivers[2]``, and the client's values echoed briefly."""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from jsonschema import ValidationError

from sim.params import parameters

Path = tuple[str | int, ...]
Problem = tuple[Path, str]

ECHO_LIMIT = 40
MESSAGE_LIMIT = 50
"""Messages listed in one answer; the rest are counted in a last line ``and N more problems``."""
DIMENSIONS: Path = ("dimensions",)
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


def messages(problems: Iterable[Problem], unlisted: int = 0) -> list[str]:
    """``<path>: <rule>`` lines, without repeats, in path order: the first MESSAGE_LIMIT, then a count
    of the rest (``unlisted`` adds problems the caller counted without spelling them out)."""
    unique = set(problems)
    first = heapq.nsmallest(MESSAGE_LIMIT, unique, key=lambda p: (_path_key(p[0]), p[1]))
    lines = [f"{render(path)}: {text}" for path, text in first]
    more = len(unique) - len(first) + unlisted
    if more:
        lines.append(f"(more): and {more} more problem{'s' * (more != 1)} not listed")
    return lines


def translate(error: ValidationError) -> Iterator[Problem]:
    """One jsonschema error as plain-word problems (several for required and additionalProperties)."""
    path: Path = tuple(error.absolute_path)
    schema, value, instance = error.schema, error.validator_value, error.instance
    if error.validator == "required":
        for name in value:
            if isinstance(instance, Mapping) and name not in instance:
                yield (*path, name), "required"
    elif error.validator == "additionalProperties":
        yield from unknown_names(path, instance, sorted(schema.get("properties", {})))
    elif error.validator == "uniqueItems":
        for later, first in _duplicates(instance):
            yield (*path, later), f"duplicate value {echo(instance[later])} (already at [{first}])"
    elif error.validator in ("type", "minimum", "maximum"):
        yield path, f"must be {typed_rule(schema, error.validator)} (got {describe(instance)})"
    elif error.validator == "pattern":
        yield path, pattern_rule(value, instance)
    elif error.validator in ("minItems", "maxItems"):
        bound = "at least" if error.validator == "minItems" else "at most"
        yield path, f"must list {bound} {value} value{'s' * (value != 1)} (got {len(instance)})"
    elif error.validator == "minProperties" and path == DIMENSIONS:
        yield path, f"must sweep at least {value} parameter; valid parameters: {', '.join(sorted(parameters()))}"
    elif error.validator in ("minProperties", "maxProperties"):
        bound = "at least" if error.validator == "minProperties" else "at most"
        yield path, f"must have {bound} {value} field{'s' * (value != 1)} (got {len(instance)})"
    elif error.validator == "enum":
        yield path, f"must be one of {', '.join(echo(v) for v in value)} (got {describe(instance)})"
    else:
        yield path, f"breaks the schema rule {error.validator!r}: {truncate(error.message)}"


def unknown_names(path: Path, names: Iterable[str], allowed: Sequence[str]) -> Iterator[Problem]:
    """One problem per name not allowed, for the first MESSAGE_LIMIT + 1 of them (enough to fill an answer)."""
    known = set(allowed)
    for name in heapq.nsmallest(MESSAGE_LIMIT + 1, [name for name in names if name not in known]):
        if path == DIMENSIONS:
            yield path, f"unknown parameter {quote(name)}; valid parameters: {', '.join(allowed)}"
        else:
            yield path, f"unexpected field {quote(name)}; allowed fields: {', '.join(allowed)}"


def typed_rule(schema: Mapping[str, Any], keyword: str) -> str:
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


def pattern_rule(pattern: str, instance: Any) -> str:
    """A pattern rule with its plain-word reading, when there is one."""
    words = _PATTERN_WORDS.get(pattern)
    return f"must match {pattern}" + (f" ({words})" if words else "") + f" (got {describe(instance)})"


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


def is_int(value: Any) -> bool:
    """A JSON integer: ``true`` is not one."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def describe(value: Any) -> str:
    """What the client sent, in JSON words: ``boolean true``, ``string "x"``, ``number 1.5``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {echo(value)}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    kind = "string" if isinstance(value, str) else "number" if _is_number(value) else type(value).__name__
    return f"{kind} {echo(value)}"


def echo(value: Any) -> str:
    """A value as JSON text, cut short so a huge input is not echoed back."""
    try:
        if isinstance(value, bool) or value is None:
            return json.dumps(value)
        if isinstance(value, int | float):
            return truncate(repr(value) if isinstance(value, float) and math.isfinite(value) else json.dumps(value))
        if isinstance(value, str):  # cut before encoding: a megabyte string is not encoded whole
            return truncate(json.dumps(value[: ECHO_LIMIT * 2]))
        return truncate(json.dumps(value, default=str))
    except ValueError:  # an integer too long to print
        return "(a very long number)"


def quote(name: str) -> str:
    """A client-chosen name, quoted and cut short."""
    return repr(truncate(name))


def truncate(text: str) -> str:
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 3] + "..."


def _path_key(path: Path) -> tuple[tuple[int, int, str], ...]:
    """Natural order: fields by name, list positions by number ([2] before [10])."""
    return tuple((1, p, "") if isinstance(p, int) else (0, 0, p) for p in path)


def render(path: Path) -> str:
    """``dimensions.num_drivers[2]``; the empty path is ``(root)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(root)"
