"""Morphological analysis of members' replies: see analysers.py and docs/FEEDBACK.md."""

from bot.analysis.analysers import DEFAULT, Analyser, Token, load_analyser

__all__ = ["DEFAULT", "Analyser", "Token", "load_analyser"]
