"""One typed codec for modals' private_metadata, checked against Slack's limit in one place.

Each modal declares what it carries as a small model:

    class NewDraft(ModalMetadata):
        council: int
        channel: str

    view = mission_modal(..., private_metadata=NewDraft(council=3, channel="C1").encode())
    meta = NewDraft.decode(view["private_metadata"])     # typed, validated
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

# Slack refuses a view whose private_metadata is longer than this.
PRIVATE_METADATA_MAX = 3000


class MetadataError(ValueError):
    """A modal came back with private_metadata that is not what the bot put there."""


class ModalMetadata(BaseModel):
    """What a modal carries between opening and submission (never member text)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    def encode(self) -> str:
        """Compact JSON; an encoding over Slack's 3000 characters is a bug, raised here."""
        text = self.model_dump_json(exclude_none=True)
        if len(text) > PRIVATE_METADATA_MAX:
            raise MetadataError("private_metadata is longer than Slack's 3000 characters")
        return text

    @classmethod
    def decode(cls, text: str | None) -> Self:
        try:
            return cls.model_validate_json(text or "{}")
        except ValidationError as exc:
            raise MetadataError(f"{cls.__name__}: unexpected private_metadata") from exc


class DraftRef(ModalMetadata):
    """The job-mission draft a modal is about (edit, written feedback, feedback request)."""

    draft: int
