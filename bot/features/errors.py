"""The one error every feature's use cases raise when a member may not do something."""

from __future__ import annotations


class NotAllowed(Exception):
    """The member may not do this (not theirs, withdrawn, cancelled, or gone).

    The message is written for the member: handlers show it as it is, privately or next
    to the form field it concerns.
    """
