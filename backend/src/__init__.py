"""TaskFlow backend."""

__version__ = "3.0.0"
