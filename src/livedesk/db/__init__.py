"""Engine, sessions and transactions. Engine differences live in ``dialect.py``."""
