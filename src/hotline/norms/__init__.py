"""The rulebook: schema, loading and validation. The rules themselves are package data."""

from hotline.norms.loader import load_default, load_rulebook
from hotline.norms.schema import Matcher, Rulebook, RuleSpec

__all__ = ["Matcher", "RuleSpec", "Rulebook", "load_default", "load_rulebook"]
