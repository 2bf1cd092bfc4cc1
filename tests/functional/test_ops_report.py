"""``report`` on real local runs: one self-contained page, the right plots, the right numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.duck import connect
from pipeline.local import run_local
from pipeline.ops.report.figures import METRICS, dimension_figure, pair_figure
from pipeline.results import ResultsSource
from tests.functional import ops_fixtures
from tests.functional.conftest import load_request
from tests.functional.ops_fixtures import RUN_ID, run_cli

pristine_runbook = ops_fixtures.pristine_runbook
RUNBOOK_PLOTS = [
    "plot-timeline",
    "plot-cost",
    "plot-dim-commission_rate",
    "plot-dim-num_drivers",
    "plot-dim-num_riders",
    "plot-pair-commission_rate-num_drivers",
    "plot-pair-commission_rate-num_riders",
    "plot-pair-num_drivers-num_riders",
]


def plot_ids(page: str) -> list[str]:
    return re.findall(r'<div id="(plot-[^"]+)" class="plotly-graph-div"', page)


def test_the_report_is_one_self_contained_page_with_every_plot(
    pristine_runbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"

    code, _, err = run_cli(capsys, "report", "--run-id", RUN_ID, "--source", str(pristine_runbook), "--out", str(out))
    page = out.read_text()

    assert code == 0 and "8 plots" in err
    assert plot_ids(page) == RUNBOOK_PLOTS
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page), "the page must load nothing from elsewhere"
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js itself is inlined
    assert "Only 6 of 8 grid points" in page
    assert "run total" in page and "us-east-1" in page


def test_a_one_dimension_sweep_gets_line_plots_and_no_heatmaps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = load_request("small.json")
    run_local(request, tmp_path / "small", workers=1)
    out = tmp_path / "small.html"

    code, _, _ = run_cli(
        capsys, "report", "--run-id", request.run_id, "--source", str(tmp_path / "small"), "--out", str(out)
    )

    assert code == 0
    assert plot_ids(out.read_text()) == ["plot-timeline", "plot-cost", "plot-dim-num_drivers"]
    assert "All 2 grid points" in out.read_text()


def test_line_and_heatmap_values_are_the_means_over_the_other_dimensions_and_missing_cells_stay_empty(
    pristine_runbook: Path,
) -> None:
    metrics = ResultsSource(str(pristine_runbook)).read("shard_metrics", RUN_ID)
    db = connect()
    db.register("m", metrics)
    by_drivers = dict(db.sql("SELECT num_drivers, avg(platform_revenue) FROM m GROUP BY ALL ORDER BY ALL").fetchall())
    by_pair = {
        (r, d): v
        for r, d, v in db.sql("SELECT num_riders, num_drivers, avg(match_rate) FROM m GROUP BY ALL").fetchall()
    }

    line = dimension_figure(metrics, "num_drivers", [200, 100])
    heat = pair_figure(metrics, "num_riders", "num_drivers", [500, 700], [100, 200])

    revenue = line.data[[name for name, _ in METRICS].index("platform_revenue")]
    assert list(revenue.x) == [100, 200]
    assert list(revenue.y) == pytest.approx([by_drivers[100], by_drivers[200]])
    match = heat.data[[name for name, _ in METRICS].index("match_rate")]
    cells = {(r, d): match.z[row][column] for row, d in enumerate([100, 200]) for column, r in enumerate([500, 700])}
    assert {k for k, v in cells.items() if v is None} == {k for k in cells if k not in by_pair} != set()
    assert {k: v for k, v in cells.items() if v is not None} == pytest.approx(by_pair)
