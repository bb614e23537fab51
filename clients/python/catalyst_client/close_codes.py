"""What the client does after each WebSocket close code.

The server's catalogue (src/domain/disconnects.ts) is published in its AsyncAPI document
(``/asyncapi.json``, channel ``session``, ``x-close-codes``); the tests check that this table
agrees with it.
"""

RESUME = "resume"  # reconnect with backoff, resubscribe with since_seq and epoch
RESUME_AFTER_BACKOFF = "resume_after_backoff"  # the same, but the server asked for air: wait longer
STOP = "stop"  # do not reconnect: a new token is needed
FIX_CLIENT = "fix_client"  # do not reconnect: the client sent what the protocol forbids

CLOSE_ACTIONS = {
    1001: RESUME,  # server going away (drained)
    1009: FIX_CLIENT,  # frame too big
    1013: RESUME_AFTER_BACKOFF,  # try again later (store unavailable)
    4400: FIX_CLIENT,  # too many bad messages
    4401: STOP,  # unauthorized or auth timeout
    4403: STOP,  # token revoked or scope missing
    4408: RESUME,  # slow consumer
    4429: RESUME_AFTER_BACKOFF,  # rate limited
}


def action_for(code):
    """The action for a close code; codes outside the catalogue (1006, 1011, ...) resume."""
    return CLOSE_ACTIONS.get(code, RESUME)
