"""The Terraform configuration as python-hcl2 parses it, shared by the tests/infra modules.

Values keep Terraform's own spelling: literals are plain strings, expressions stay as
``${...}`` text (e.g. ``"${local.child_function_arn}"``), so tests compare wiring, not values
that only exist after an apply."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
import pytest

from pipeline.infra import TERRAFORM_DIR

OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


def load_hcl(path: Path) -> dict[str, Any]:
    with open(path) as handle:
        return hcl2.load(handle, serialization_options=OPTIONS)


@dataclass
class TerraformConfig:
    """Every block of every ``*.tf`` file, indexed by kind, type and name."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    data: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)

    def resource(self, type_: str, name: str) -> dict[str, Any]:
        return self.resources[type_][name]

    def policy_document(self, name: str) -> dict[str, Any]:
        return self.data["aws_iam_policy_document"][name]

    def statements(self, name: str) -> Iterator[dict[str, Any]]:
        """A policy document's statements, ``dynamic "statement"`` contents included."""
        document = self.policy_document(name)
        yield from document.get("statement", [])
        for dynamic in document.get("dynamic", []):
            yield from dynamic.get("statement", {}).get("content", [])


def load_config(directory: Path = TERRAFORM_DIR) -> TerraformConfig:
    config = TerraformConfig()
    for path in sorted(directory.glob("*.tf")):
        parsed = load_hcl(path)
        for kind, target in (("resource", config.resources), ("data", config.data)):
            for block in parsed.get(kind, []):
                for type_, named in block.items():
                    target.setdefault(type_, {}).update(named)
        for block in parsed.get("variable", []):
            config.variables.update(block)
        for block in parsed.get("output", []):
            config.outputs.update(block)
        for block in parsed.get("locals", []):
            config.locals.update(block)
        config.terraform += parsed.get("terraform", [])
    return config


@pytest.fixture(scope="session")
def tf() -> TerraformConfig:
    return load_config()


def validation_regex(tf: TerraformConfig, name: str) -> str:
    """The regular expression a variable's validation checks it with, as written in the .tf file."""
    condition = tf.variables[name]["validation"][0]["condition"]
    match = re.search(r'regex\("((?:[^"\\]|\\.)*)", var\.' + name + r"\)", condition)
    assert match, f"{name}: its validation does not use regex(...): {condition}"
    return match.group(1)
