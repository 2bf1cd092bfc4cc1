"""What a run cost on AWS, priced from a small editable table (prices.json).

Counted from what the run left behind, so a local or emulator run is priced as
if it had run on Lambda:
- Lambda compute: each attempt's ``duration_ms`` x its ``memory_mb`` (a local
  attempt records no memory: the fallback is used and counted); the parent's
  duration is not recorded anywhere and is left out.
- Lambda requests: the parent's one invoke plus one per child attempt.
- S3 PUT-class requests: per attempt one LIST (the attempt number) and one
  outcome PUT, per successful attempt one PUT per data dataset, and the
  manifest writes (two at submission, two per redrive).
- One query of the run: Athena bills the bytes it scans; the sum of the run's
  object sizes is what a query reading every column scans (Parquet lets a narrower
  query read less), rounded up to a MB with a 10 MB minimum; S3 GETs counted as
  one per object.
Free-tier allowances are not applied. The run's price is also given per work
unit (grid points x replications, from the manifest's request).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.ops.exceptions import PriceTableInvalid
from sim.datasets.schemas import DATA_DATASETS

PRICES_PATH = Path(__file__).with_name("prices.json")
DEFAULT_MEMORY_MB = 1024
"""Memory assumed for attempts that recorded none (local runs)."""
MANIFEST_WRITES_PER_SUBMIT = 2
MANIFEST_WRITES_PER_REDRIVE = 2
MB = 1 << 20
TB = 1 << 40


@dataclass(frozen=True)
class Prices:
    region: str
    as_of: str
    currency: str
    lambda_gb_second: float
    lambda_requests_per_million: float
    s3_put_per_1000: float
    s3_get_per_1000: float
    athena_per_tb: float
    athena_minimum_mb: int
    path: str

    @classmethod
    def load(cls, path: str | Path = PRICES_PATH) -> Prices:
        try:
            table = json.loads(Path(path).read_text())
        except (OSError, ValueError) as error:
            raise PriceTableInvalid(f"{path}: cannot read the price table: {error}") from error

        def text(key: str) -> str:
            value = table.get(key) if isinstance(table, dict) else None
            if not isinstance(value, str) or not value:
                raise PriceTableInvalid(f"{path}: {key}: required, a non-empty string")
            return value

        def number(key: str, field: str = "usd") -> float:
            entry = table.get(key) if isinstance(table, dict) else None
            value = entry.get(field) if isinstance(entry, dict) else None
            if (
                not isinstance(entry, dict)
                or isinstance(value, bool)
                or not isinstance(value, int | float)
                or value < 0
            ):
                raise PriceTableInvalid(f"{path}: {key}.{field}: required, a number >= 0")
            if not isinstance(entry.get("source"), str) or not entry["source"]:
                raise PriceTableInvalid(f"{path}: {key}.source: required, where the figure came from")
            return float(value)

        return cls(
            region=text("region"),
            as_of=text("as_of"),
            currency=text("currency"),
            lambda_gb_second=number("lambda_gb_second_x86"),
            lambda_requests_per_million=number("lambda_requests_per_million"),
            s3_put_per_1000=number("s3_put_per_1000"),
            s3_get_per_1000=number("s3_get_per_1000"),
            athena_per_tb=number("athena_per_tb_scanned"),
            athena_minimum_mb=int(number("athena_per_tb_scanned", "minimum_mb_per_query")),
            path=str(path),
        )


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: float
    unit: str
    usd: float


@dataclass(frozen=True)
class RunCost:
    """The run's own cost, and what one query over all of its objects would add."""

    run: list[CostLine]
    query: list[CostLine]
    attempts: int
    memory_assumed_attempts: int
    fallback_memory_mb: int
    prices: Prices
    units: int = 0
    """Work units of the run (grid points x replications)."""

    @property
    def run_usd(self) -> float:
        return sum(line.usd for line in self.run)

    @property
    def run_usd_per_unit(self) -> float:
        return self.run_usd / self.units if self.units else 0.0

    @property
    def query_usd(self) -> float:
        return sum(line.usd for line in self.query)

    def to_json(self) -> dict[str, Any]:
        def lines(items: Sequence[CostLine]) -> dict[str, dict[str, Any]]:
            return {c.item: {"quantity": c.quantity, "unit": c.unit, "usd": c.usd} for c in items}

        return {
            "currency": self.prices.currency,
            "region": self.prices.region,
            "prices_as_of": self.prices.as_of,
            "prices_file": self.prices.path,
            "run_usd": self.run_usd,
            "query_usd": self.query_usd,
            "run": lines(self.run),
            "query": lines(self.query),
            "attempts": self.attempts,
            "memory_assumed_attempts": self.memory_assumed_attempts,
            "fallback_memory_mb": self.fallback_memory_mb,
            "work_units": self.units,
            "run_usd_per_unit": self.run_usd_per_unit,
        }


def run_cost(
    manifest: Mapping[str, Any],
    outcomes: Sequence[Mapping[str, Any]],
    object_sizes: Mapping[str, int],
    prices: Prices,
    *,
    fallback_memory_mb: int = DEFAULT_MEMORY_MB,
) -> RunCost:
    """Price a run from its manifest, its outcome rows and its objects' sizes."""
    assumed = sum(o["memory_mb"] is None for o in outcomes)
    gb_seconds = sum(o["duration_ms"] / 1000 * (o["memory_mb"] or fallback_memory_mb) / 1024 for o in outcomes)
    requests = 1 + len(outcomes)
    succeeded = sum(o["status"] == "succeeded" for o in outcomes)
    redrives = len(manifest.get("redrives", []))
    puts = (
        2 * len(outcomes)
        + len(DATA_DATASETS) * succeeded
        + MANIFEST_WRITES_PER_SUBMIT
        + MANIFEST_WRITES_PER_REDRIVE * redrives
    )
    scanned = sum(object_sizes.values())
    billed = max(math.ceil(scanned / MB), prices.athena_minimum_mb) * MB
    run = [
        CostLine("lambda_compute", gb_seconds, "GB-s", gb_seconds * prices.lambda_gb_second),
        CostLine("lambda_requests", requests, "requests", requests / 1e6 * prices.lambda_requests_per_million),
        CostLine("s3_put_requests", puts, "PUT/LIST requests", puts / 1000 * prices.s3_put_per_1000),
    ]
    query = [
        CostLine("athena_scan", scanned, "bytes", billed / TB * prices.athena_per_tb),
        CostLine(
            "s3_get_requests", len(object_sizes), "GET requests", len(object_sizes) / 1000 * prices.s3_get_per_1000
        ),
    ]
    units = manifest["points_total"] * manifest["request"].get("replications", 1)
    return RunCost(run, query, len(outcomes), assumed, fallback_memory_mb, prices, units)
