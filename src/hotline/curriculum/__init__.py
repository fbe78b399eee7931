"""Curriculum: lessons, question bank, exams, adaptive practice, case library and certificates.

Content is package data (``data/lessons``, ``data/questions``, ``data/cases``); everything that
judges an agent's words (rewrite exercises, case findings) asks ``hotline.inspect``."""

from hotline.curriculum.library import Curriculum, load_curriculum
from hotline.curriculum.loader import CurriculumError

__all__ = ["Curriculum", "CurriculumError", "load_curriculum"]
