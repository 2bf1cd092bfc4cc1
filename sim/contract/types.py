"""The validated sweep request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.params import ParamValue


@dataclass(frozen=True)
class SweepRequest:
    """A request that passed the schema and the semantic checks."""

    run_id: str
    dimensions: Mapping[str, tuple[ParamValue, ...]]
    shard_count: int
    seed: int
    failure_injection_shards: frozenset[int] = field(default_factory=frozenset)
    replications: int = 1
    common_random_numbers: bool = False

    def to_json(self) -> dict[str, Any]:
        """The request as its canonical JSON body (what a child receives).

        Optional fields appear only when they differ from their defaults, so a request that
        spells out ``"replications": 1`` equals one that leaves it out, and the fingerprints and
        manifests of requests written before these fields existed stay as they were."""
        body: dict[str, Any] = {
            "run_id": self.run_id,
            "dimensions": {name: list(values) for name, values in self.dimensions.items()},
            "shard_count": self.shard_count,
            "seed": self.seed,
        }
        if self.failure_injection_shards:
            body["failure_injection_shards"] = sorted(self.failure_injection_shards)
        if self.replications != 1:
            body["replications"] = self.replications
        if self.common_random_numbers:
            body["common_random_numbers"] = True
        return body

    def fingerprint(self) -> str:
        """Canonical text of the request: equal requests have equal fingerprints."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
