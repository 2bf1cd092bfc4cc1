"""``python -m pipeline ci``: every check, in stages with headers, timings and a summary."""
