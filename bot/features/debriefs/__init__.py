"""Debriefs."""
