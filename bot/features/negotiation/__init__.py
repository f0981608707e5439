"""Negotiation."""
