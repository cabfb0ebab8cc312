"""Rich renderables built from core results; never prints."""
