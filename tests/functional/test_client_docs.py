"""docs/client.md's session, run exactly as written: every ``pycon`` block, in order, outputs compared."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from pipeline.paths import REPO_ROOT

DOC = REPO_ROOT / "docs" / "client.md"
PYCON_BLOCK = re.compile(r"^```pycon\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def session_text(markdown: str) -> str:
    """The pycon blocks, one after the other (a blank line ends each block's last output)."""
    return "\n".join(block for block in PYCON_BLOCK.findall(markdown))


def test_the_session_has_the_steps_the_issue_asks_for() -> None:
    # given the doc's session
    session = session_text(DOC.read_text())
    # then it submits, waits, reads shard_metrics, plots revenue against commission and queries
    for step in ("client.submit(", "run.wait(", 'run.table("shard_metrics")', "platform_revenue", "run.sql("):
        assert step in session


def test_docs_client_session_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given the doc's session, in a fresh directory (it writes ./sweeps and ./revenue.html)
    monkeypatch.chdir(tmp_path)
    text = session_text(DOC.read_text())
    test = doctest.DocTestParser().get_doctest(text, {}, "docs/client.md", str(DOC), 0)
    # when every example runs in order
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    # then every output is the one written in the doc
    assert runner.summarize(verbose=False).failed == 0
    assert len(test.examples) >= 15
    # and the plot and the run's layout are on disk
    page = (tmp_path / "revenue.html").read_text()
    assert "commission rate" in page and "platform revenue" in page
    assert (tmp_path / "sweeps" / "serverless-sweeps" / "runs" / "run_id=demo-run-001" / "manifest.json").is_file()
