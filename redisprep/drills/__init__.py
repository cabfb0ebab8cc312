"""Drills: narrated, checked scenarios that run each Redis pattern for real."""

from redisprep.drills.catalog import drill_names, get_drill, load_catalog
from redisprep.drills.runner import run_drill

__all__ = ["drill_names", "get_drill", "load_catalog", "run_drill"]
