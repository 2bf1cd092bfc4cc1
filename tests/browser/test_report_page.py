"""The report page in headless Chromium (Debian's ``chromium``): it renders offline and every plot draws.

Chromium runs with name resolution switched off, so a page that needed the
network (a CDN copy of plotly.js) would render no plot at all."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.local import run_local
from tests.functional.conftest import load_request

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=20000",
)
WINDOW = (1400, 2400)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What each plot must draw: line plots a scatter trace per metric, heatmap figures an "hm" group per metric.
EXPECTED_TRACES = {
    "plot-timeline": ('class="trace scatter', 2),
    "plot-cost": ('class="trace bars', 1),
    "plot-dim-commission_rate": ('class="trace scatter', 6),
    "plot-dim-num_drivers": ('class="trace scatter', 6),
    "plot-dim-num_riders": ('class="trace scatter', 6),
    "plot-pair-commission_rate-num_drivers": ('class="hm"', 6),
    "plot-pair-commission_rate-num_riders": ('class="hm"', 6),
    "plot-pair-num_drivers-num_riders": ('class="hm"', 6),
}


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the runbook run (shard 1 injected, so the timeline shows failures)."""
    root = tmp_path_factory.mktemp("report-page")
    request = load_request("runbook.json")
    run_local(request, root / "results", workers=2)
    page = root / "report.html"
    code = main(["report", "--run-id", request.run_id, "--source", str(root / "results"), "--out", str(page)])
    assert code == 0
    return page


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/install-system-deps.sh installs it)")
    width, height = WINDOW
    return subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )


def plot_sections(dom: str) -> dict[str, str]:
    """Each plot's opening tag and everything up to the next plot."""
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<div id="(plot-[^"]+)"', dom)]
    ends = [start for start, _ in starts[1:]] + [len(dom)]
    return {plot_id: dom[start:end] for (start, plot_id), end in zip(starts, ends, strict=True)}


def test_every_plot_renders_in_headless_chromium_without_the_network(report_page: Path, tmp_path: Path) -> None:
    dom = chromium(report_page, tmp_path / "profile", "--dump-dom").stdout.decode()

    sections = plot_sections(dom)

    assert list(sections) == list(EXPECTED_TRACES)
    for plot_id, (marker, count) in EXPECTED_TRACES.items():
        section = sections[plot_id]
        opening = section[: section.index(">")]
        assert "js-plotly-plot" in opening, f"{plot_id}: plotly did not take over the div"
        assert 'class="main-svg"' in section, f"{plot_id}: no svg drawn"
        assert section.count(marker) == count, f"{plot_id}: expected {count} x {marker}"
    assert "Sweep report: demo-run-001" in dom and "run total" in dom


def test_a_screenshot_of_the_report_is_a_full_size_png(report_page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"

    chromium(report_page, tmp_path / "profile", f"--screenshot={shot}")
    body = shot.read_bytes()

    assert body.startswith(PNG_SIGNATURE)
    width, height = int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")
    assert (width, height) == WINDOW
    assert len(body) > 100_000, "a blank page compresses to a few kilobytes"
