"""The project's one base error."""


class SweepError(Exception):
    """Base of every error Serverless Sweep raises on purpose."""
