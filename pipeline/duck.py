"""DuckDB connections that never reach for the network."""

from __future__ import annotations

import duckdb

OFFLINE_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory connection with extension auto-install and auto-load off."""
    return duckdb.connect(":memory:", config=OFFLINE_CONFIG)
