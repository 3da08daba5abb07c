"""Indonesian urban-cooperation news analysis: the importable code behind every pipeline stage."""

__version__ = "0.1.0"
