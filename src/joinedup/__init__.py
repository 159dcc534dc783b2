"""JoinedUp: the shared platform of a community safety partnership."""

__version__ = "0.1.0"
