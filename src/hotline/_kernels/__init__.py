"""Hand-written C kernels of the engine's hottest loops, built by ``hotline native build`` beside the mypyc modules
(``hotline.native``: from the ``.c`` files here, into the same folder, under the same manifest). Each has a Python
path that gives the same results, taken when it is not built, stale or switched off (``HOTLINE_NATIVE=0``)."""

from __future__ import annotations

from hotline.native import package_path

__path__ = package_path(__name__, __path__)  # the built kernels first, when current
