"""What the client does after each WebSocket close code.

The server's catalogue is published in its AsyncAPI document (``/asyncapi.json``, channel
``session``, ``x-close-codes``); the tests check that this table agrees with it.
"""

RESUME = "resume"  # reconnect at once and resume with since_seq and epoch
BACKOFF = "backoff"  # reconnect after a jittered backoff, then resume
STOP = "stop"  # do not reconnect: a new token is needed
FIX_CLIENT = "fix_client"  # do not reconnect: the client sent something wrong

CLOSE_ACTIONS = {
    1001: RESUME,  # server going away (drained)
    1009: FIX_CLIENT,  # frame too big
    1013: BACKOFF,  # try again later (store unavailable)
    4400: FIX_CLIENT,  # too many bad messages
    4401: STOP,  # unauthorized or auth timeout
    4403: STOP,  # token revoked or scope missing
    4408: RESUME,  # slow consumer
    4429: BACKOFF,  # rate limited
}


def action_for(code):
    """The action for a close code; anything unknown (1006, 1011, ...) is retried with backoff."""
    return CLOSE_ACTIONS.get(code, BACKOFF)
