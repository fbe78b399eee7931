"""Kept for code that still imports it: the masking rules and functions live in ``hotline.masking``."""

from hotline.masking import MaskingRules, agent_suggestion, default_rules, mask_text, may_unmask

__all__ = ["MaskingRules", "agent_suggestion", "default_rules", "mask_text", "may_unmask"]
