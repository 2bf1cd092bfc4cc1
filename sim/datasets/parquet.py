"""Parquet encoding: zstd, and the same bytes for the same table (or sequence of tables)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION = "zstd"
COMPRESSION_LEVEL = 3


ROW_GROUP_ROWS = 1 << 20


def encode(table: pa.Table) -> bytes:
    """Encode a table as one Parquet file; no timestamps or paths go into the bytes."""
    encoder = ParquetEncoder(table.schema)
    encoder.write(table)
    return encoder.finish()


class ParquetEncoder:
    """One Parquet file built from tables written one after another (each at least one row
    group), so a shard's rows need never be in memory at once: only their compressed bytes."""

    def __init__(self, schema: pa.Schema) -> None:
        self._sink = pa.BufferOutputStream()
        self._writer = pq.ParquetWriter(
            self._sink, schema, compression=COMPRESSION, compression_level=COMPRESSION_LEVEL
        )

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table, row_group_size=ROW_GROUP_ROWS)

    def finish(self) -> bytes:
        """Close the file; its bytes."""
        self._writer.close()
        return self._sink.getvalue().to_pybytes()


def decode(body: bytes) -> pa.Table:
    return pq.read_table(pa.BufferReader(body))
