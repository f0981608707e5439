"""What makes two company names one search, and what a company name may be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.features.text import one_line, unstorable

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


# --- the company picker: one of the member's searches, or a company typed in -----------------

# The picker's two fields; each feature maps them to its own modal's block ids.
PICK_SEARCH = "search"
PICK_COMPANY = "company"

# Said under the text box wherever the picker is shown: the one rule, stated.
TYPED_COMPANY_HINT = "A company typed here is used instead of the list above."


@dataclass(frozen=True, slots=True)
class CompanyPick:
    """One of the member's searches (`search_id`), or a new one at `company` (then
    `search_id` is None). `company` is "" when an existing search is used."""

    search_id: int | None
    company: str

    def name(self, searches: Mapping[int, str]) -> str:
        """The company's name, whichever way it was given."""
        return searches[self.search_id] if self.search_id is not None else self.company


def pick_company(
    *, search_id: str | None, company: str | None, searches: Mapping[int, str], missing: str
) -> CompanyPick | dict[str, str]:
    """The one rule for every company picker (a select of the member's searches and a
    text box beside it): a company typed wins over the select, since a Slack select cannot
    be emptied once picked (TYPED_COMPANY_HINT says so on the form); a typed name that is
    one of the member's searches, ignoring case and spaces, is that search. With nothing
    typed, the select's search, if it is still theirs. Errors are keyed PICK_SEARCH /
    PICK_COMPANY; `missing` is what to say when neither was given.
    """
    typed = one_line(company)
    if typed:
        if (problem := company_problem(typed)) is not None:
            return {PICK_COMPANY: problem}
        key = company_key(typed)
        for known_id, known in searches.items():
            if company_key(known) == key:
                return CompanyPick(search_id=known_id, company="")
        return CompanyPick(search_id=None, company=typed)
    raw = (search_id or "").strip()
    if not raw:
        return {PICK_COMPANY: missing}
    try:
        chosen: int | None = int(raw)
    except ValueError:
        chosen = None
    if chosen is None or chosen not in searches:
        return {PICK_SEARCH: "That search is no longer there. Please pick another."}
    return CompanyPick(search_id=chosen, company="")
