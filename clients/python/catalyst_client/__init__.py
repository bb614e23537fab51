"""Python client for Catalyst: subscribe to trading signals over WebSocket, resume without loss."""

from .backoff import Backoff
from .client import CatalystClient, Disconnect, Position, ResetEvent
from .close_codes import CLOSE_ACTIONS, action_for
from .errors import CatalystClosed, CatalystError, PublishError
from .publish import publish

__all__ = [
    "Backoff",
    "CLOSE_ACTIONS",
    "CatalystClient",
    "CatalystClosed",
    "CatalystError",
    "Disconnect",
    "Position",
    "PublishError",
    "ResetEvent",
    "action_for",
    "publish",
]
