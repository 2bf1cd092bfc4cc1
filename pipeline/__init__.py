"""``python -m pipeline``: build, test, emulate, deploy, release, roll back and run sweeps."""
