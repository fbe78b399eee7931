"""What an operator gives back. The tree walk (``operators``) and the timing operators (``timing``)
both stand on this module and on ``context``; ``timing`` never reaches up into ``operators``."""

from __future__ import annotations

from hotline.inspect.context import Hit

Result = list[Hit] | None
"""The hits of a matcher, or None when it cannot apply to this call (a timing rule without times)."""

Allowed = frozenset[int] | None
"""The turns a matcher may look at (None = every turn)."""
