"""hotline-coach: training and quality inspection for 12345 government service hotline agents."""

__version__ = "0.1.0"

from hotline.native import package_path  # noqa: E402

__path__ = package_path(__name__, __path__)  # compiled modules first, when current
