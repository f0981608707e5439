"""Feedback requests."""
