"""Back-of-envelope memory sizing: model what a data set takes in Redis, and check it on a real server."""

from redisprep.sizing.model import Estimate, Line, estimate
from redisprep.sizing.shape import KINDS, Kind, Shape, build_shape, parse_count

__all__ = ["KINDS", "Estimate", "Kind", "Line", "Shape", "build_shape", "estimate", "parse_count"]
