"""The sweep request contract: the JSON Schema plus the checks a schema cannot express."""

from sim.contract.exceptions import RequestInvalid
from sim.contract.types import SweepRequest
from sim.contract.validation import GRID_POINT_CAP, parse_request, parse_request_text

__all__ = ["GRID_POINT_CAP", "RequestInvalid", "SweepRequest", "parse_request", "parse_request_text"]
