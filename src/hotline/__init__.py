"""hotline-coach: training and quality inspection for 12345 government service hotline agents."""

__version__ = "0.1.0"
