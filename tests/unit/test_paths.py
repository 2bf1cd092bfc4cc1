"""Where the pipeline keeps what it builds: a checkout's .cache, never an installed package's
site-packages."""

from __future__ import annotations

from pathlib import Path

from pipeline.paths import CACHE_DIR_ENV, REPO_ROOT, cache_dir


def test_a_checkout_keeps_its_cache_beside_its_sources() -> None:
    assert cache_dir({}, REPO_ROOT) == REPO_ROOT / ".cache"


def test_an_installed_package_uses_the_users_cache_directory(tmp_path: Path) -> None:
    site_packages = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    site_packages.mkdir(parents=True)

    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path / "xdg")}, site_packages) == tmp_path / "xdg" / "serverless-sweep"
    assert cache_dir({}, site_packages) == Path.home() / ".cache" / "serverless-sweep"


def test_the_setting_wins_over_both(tmp_path: Path) -> None:
    chosen = {CACHE_DIR_ENV: str(tmp_path / "chosen"), "XDG_CACHE_HOME": str(tmp_path / "xdg")}

    assert cache_dir(chosen, REPO_ROOT) == cache_dir(chosen, tmp_path) == tmp_path / "chosen"
