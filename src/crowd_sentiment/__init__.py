"""Crowd Sentiment: image sentiment learned from tweets by cross-modal distillation."""

__version__ = "0.1.0"
