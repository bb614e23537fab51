class CatalystError(Exception):
    """Base of the client's errors."""


class CatalystClosed(CatalystError):
    """The server ended the session with a code the client must not retry (4401, 4403, 4400, 1009)."""

    def __init__(self, code, reason, action):
        super().__init__(f"closed {code} ({reason or 'no reason'}): {action}")
        self.code = code
        self.reason = reason
        self.action = action


class PublishError(CatalystError):
    """A publish the server refused for good (4xx other than 429), or that kept failing."""

    def __init__(self, status, body):
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"publish answered {status}: {error.get('code', '')} {error.get('message', body)}")
        self.status = status
        self.body = body
        self.code = error.get("code")
