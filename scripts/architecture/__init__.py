"""Measurements of redisprep's shape (drill places, knowledge copies, lifecycles, imports, dead code)."""
