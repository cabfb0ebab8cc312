"""Data-structure drills: what each Redis type is for, its commands, costs, encodings and one real use."""
