"""What makes two company names one search, and what a company name may be."""

from __future__ import annotations

from bot.features.text import unstorable

# storage.searches.Search.company and .company_key
COMPANY_MAX = 100


def company_key(company: str) -> str:
    """Case- and space-folded, so "Acme " and "acme" are one search."""
    return " ".join(company.split()).casefold()


def company_problem(company: str) -> str | None:
    """Why a cleaned, non-empty company name cannot name a search, for the member; or None.

    Case folding can lengthen a name ("ß" folds to "ss"), so the folded key is held to the
    same limit as the name: a name within the limit whose key is not would fail in storage.
    """
    problem = unstorable(company, "The company name")
    if problem is not None:
        return problem
    if len(company) > COMPANY_MAX:
        return (
            f"Please keep the company name to {COMPANY_MAX:,} characters or fewer "
            f"(it has {len(company):,} now)."
        )
    if len(company_key(company)) > COMPANY_MAX:
        return (
            f"Please shorten the company name: matched without case it comes to over "
            f"{COMPANY_MAX:,} characters (letters such as ß count twice)."
        )
    return None
