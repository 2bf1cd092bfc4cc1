"""Cost per run, counted from a real local run and priced from the editable table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.ops import Prices, PriceTableInvalid, read_snapshot, run_cost
from pipeline.ops.cost import MB, PRICES_PATH, TB
from pipeline.results import ResultsSource
from sim.datasets import layout
from tests.functional import ops_fixtures
from tests.functional.ops_fixtures import RUN_ID, run_cli

pristine_runbook = ops_fixtures.pristine_runbook


def test_the_shipped_price_table_names_its_region_date_and_a_source_for_every_price() -> None:
    prices = Prices.load()
    table = json.loads(PRICES_PATH.read_text())

    assert prices.region and prices.as_of and prices.currency == "USD"
    assert all(entry["source"].startswith("https://") for entry in table.values() if isinstance(entry, dict))
    assert prices.lambda_gb_second > 0 and prices.athena_per_tb > 0


def test_the_runbook_run_is_counted_from_its_outcomes_and_objects(pristine_runbook: Path) -> None:
    snapshot = read_snapshot(ResultsSource(str(pristine_runbook)), RUN_ID, sizes=True)
    prices = Prices.load()
    on_disk = sum(
        p.stat().st_size for p in (pristine_runbook / layout.outcomes_prefix()).rglob("*.parquet") if RUN_ID in str(p)
    )

    cost = run_cost(snapshot.manifest, snapshot.outcomes, snapshot.object_sizes, prices, fallback_memory_mb=2048)
    lines = {line.item: line for line in cost.run + cost.query}

    durations_s = sum(o["duration_ms"] for o in snapshot.outcomes) / 1000
    assert cost.attempts == 6 and cost.memory_assumed_attempts == 6
    assert lines["lambda_compute"].quantity == pytest.approx(durations_s * 2)
    assert lines["lambda_requests"].quantity == 1 + 6
    # 6 attempts x (LIST + outcome PUT) + 3 successes x 3 data PUTs + 2 manifest writes
    assert lines["s3_put_requests"].quantity == 23
    assert lines["athena_scan"].quantity == on_disk < 10 * MB
    assert lines["athena_scan"].usd == pytest.approx(10 * MB / TB * prices.athena_per_tb)
    assert lines["s3_get_requests"].quantity == len(snapshot.object_sizes) == 6 + 3 * 3
    assert cost.run_usd == pytest.approx(
        durations_s * 2 * prices.lambda_gb_second
        + 7 / 1e6 * prices.lambda_requests_per_million
        + 23 / 1000 * prices.s3_put_per_1000
    )


def test_recorded_memory_wins_over_the_fallback_and_redrives_add_manifest_writes(pristine_runbook: Path) -> None:
    snapshot = read_snapshot(ResultsSource(str(pristine_runbook)), RUN_ID)
    outcomes = [{**o, "memory_mb": 512} for o in snapshot.outcomes]
    redriven = {**snapshot.manifest, "redrives": [{"at": snapshot.manifest["created_at"], "dispatches": []}]}

    cost = run_cost(redriven, outcomes, {}, Prices.load(), fallback_memory_mb=4096)
    lines = {line.item: line for line in cost.run}

    assert cost.memory_assumed_attempts == 0
    assert lines["lambda_compute"].quantity == pytest.approx(sum(o["duration_ms"] for o in outcomes) / 1000 / 2)
    assert lines["s3_put_requests"].quantity == 23 + 2


def test_a_price_table_missing_a_source_is_rejected_naming_the_key(tmp_path: Path) -> None:
    table = json.loads(PRICES_PATH.read_text())
    del table["s3_put_per_1000"]["source"]
    bad = tmp_path / "prices.json"
    bad.write_text(json.dumps(table))

    with pytest.raises(PriceTableInvalid, match=r"s3_put_per_1000\.source"):
        Prices.load(bad)


def test_status_with_a_bad_price_table_exits_1_naming_the_key(
    pristine_runbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = json.loads(PRICES_PATH.read_text())
    table["athena_per_tb_scanned"]["usd"] = "five"
    bad = tmp_path / "prices.json"
    bad.write_text(json.dumps(table))

    code, _, err = run_cli(
        capsys, "status", "--run-id", RUN_ID, "--source", str(pristine_runbook), "--prices", str(bad)
    )

    assert code == 1 and "athena_per_tb_scanned.usd" in err
