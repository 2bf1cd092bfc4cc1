"""Parquet encoding: zstd, and the same bytes for the same table."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION = "zstd"
COMPRESSION_LEVEL = 3


def encode(table: pa.Table) -> bytes:
    """Encode a table as one Parquet file; no timestamps or paths go into the bytes."""
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
        row_group_size=1 << 20,
    )
    return sink.getvalue().to_pybytes()


def decode(body: bytes) -> pa.Table:
    return pq.read_table(pa.BufferReader(body))
