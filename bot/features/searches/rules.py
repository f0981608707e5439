"""What makes two company names one search."""

from __future__ import annotations


def company_key(company: str) -> str:
    """Case- and space-folded, so "Acme " and "acme" are one search."""
    return " ".join(company.split()).casefold()
