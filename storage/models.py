"""Every table, imported in one place so metadata (and Alembic) sees the whole schema."""

from sqlmodel import SQLModel

from storage.councils import Council, Member
from storage.events import ProcessedEvent
from storage.missions import (
    FeedbackAsk,
    FeedbackRequest,
    KeyResult,
    MissionDraft,
    MissionVersion,
    Objective,
    ReactionFeedback,
    WrittenFeedback,
)
from storage.searches import Search

metadata = SQLModel.metadata

__all__ = [
    "Council",
    "FeedbackAsk",
    "FeedbackRequest",
    "KeyResult",
    "Member",
    "MissionDraft",
    "MissionVersion",
    "Objective",
    "ProcessedEvent",
    "ReactionFeedback",
    "Search",
    "WrittenFeedback",
    "metadata",
]

# Reminders (the timed messages of every feature).
from storage.reminders import Reminder  # noqa: E402

__all__ += ["Reminder"]

# Interview events, debriefs and the Gratitude House (`/debrief`).
from storage.debriefs import Debrief, GratitudePerson, InterviewEvent  # noqa: E402

__all__ += ["Debrief", "GratitudePerson", "InterviewEvent"]

# Negotiation plans: the four legs, the private numbers (`/negotiate`).
from storage.negotiation import NegotiationCompensation, NegotiationLeg, NegotiationPlan  # noqa: E402

__all__ += ["NegotiationCompensation", "NegotiationLeg", "NegotiationPlan"]

# Back-channel reference checklists (`/backchannel`).
from storage.backchannel import (  # noqa: E402
    BackchannelChecklist,
    BackchannelPerson,
    BackchannelShare,
)

__all__ += ["BackchannelChecklist", "BackchannelPerson", "BackchannelShare"]

# Installations of the app in workspaces, and OAuth states (distribution mode).
from storage.installations import OAuthState, SlackInstallation  # noqa: E402

__all__ += ["OAuthState", "SlackInstallation"]

# The council's own rhythm: setup, meetings, check-ins, who is away (`/council setup`).
from storage.rituals import (  # noqa: E402
    CouncilCheckin,
    CouncilMeeting,
    CouncilMemberState,
    CouncilRitual,
)

__all__ += ["CouncilCheckin", "CouncilMeeting", "CouncilMemberState", "CouncilRitual"]

# The Listening Tour log: conversations, shared takeaways and settings (`/tour`).
from storage.tour import TourConversation, TourSettings, TourShare  # noqa: E402

__all__ += ["TourConversation", "TourSettings", "TourShare"]

# The Two-Pager and the Candidate-Market Fit statement, with suggestions (`/fit`).
from storage.fit import FitStatement, FitSuggestion, FitTwoPager  # noqa: E402

__all__ += ["FitStatement", "FitSuggestion", "FitTwoPager"]

# Written feedback on the other subjects a council reviews (plans, Two-Pagers, statements).
from storage.reviews import ReviewNote  # noqa: E402

__all__ += ["ReviewNote"]
