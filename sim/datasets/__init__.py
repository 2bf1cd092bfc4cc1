"""The four datasets: schemas, S3 layout, Parquet encoding and table assembly.

Import the module you need (``sim.datasets.layout`` needs no pyarrow, so the parent, which
only names keys, does not load it)."""
