"""Reads and pure rules: access, counters, search, auth helpers."""
