#!/usr/bin/env python3
"""Apply the Athena bootstrap plan: exactly ``python -m pipeline athena apply`` (same code, same options).

    python athena/apply_athena_sql.py --query-results-s3 s3://QUERY-RESULTS/queries/ \
        --results-bucket RESULTS-BUCKET [--results-prefix serverless-sweeps] [--workgroup primary] \
        [--database serverless_sweep] [--projection] [--dry-run]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a file, this script's folder is on sys.path, not the repository; add it so `pipeline` imports.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["athena", "apply", *sys.argv[1:]]))
