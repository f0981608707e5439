"""Shared Block Kit builders used by every feature's views."""
