"""The subscriber: one logical stream of signals over as many WebSocket sessions as it takes.

It keeps two positions: ``received`` (the last seq taken off the wire, where a reconnect resumes)
and ``delivered`` (the last seq handed to the application, what it should persist). Anything at or
below ``received`` that a resumed session sends again is dropped, so the application sees every
matching signal once and in order. Signals wait in a bounded queue: when the application falls
behind, reading stops, and the server closes the session with 4408 rather than holding memory for
it; the client then resumes from ``received``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional, Union

import websockets

from .backoff import Backoff
from .close_codes import FIX_CLIENT, RESUME_AFTER_BACKOFF, STOP, action_for
from .errors import CatalystClosed

log = logging.getLogger("catalyst_client")

# A close code of our own (4000-4999 is for applications), used when heartbeats stopped.
HEARTBEAT_MISSED = 4000


@dataclass(frozen=True)
class Position:
    """Where a stream stands: the seq of the last signal delivered, in the history named by epoch.

    An empty epoch means "whatever history the server has" (for a first start from seq 0).
    """

    epoch: str
    seq: int


@dataclass(frozen=True)
class ResetEvent:
    """The history a position belonged to is gone; the stream restarts at ``start_seq``."""

    epoch: str
    last_seq: int
    start_seq: int
    reason: str  # "epoch_changed" (seen in welcome) or "server_reset" (a reset message)
    previous: Optional[Position]


@dataclass(frozen=True)
class Disconnect:
    code: int
    reason: str
    action: str
    delay: Optional[float]  # None when the client stopped for good


class _End:
    pass


class CatalystClient:
    """Subscribe to a Catalyst node; iterate with ``async for signal in client``.

    ``on_epoch_change``: after a reset, ``"live-only"`` continues from the server's head,
    ``"replay-all"`` replays the new history from its start. ``on_reset`` (sync or async) is called
    first, so the application can re-read its state.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        filters: Optional[dict] = None,
        position: Optional[Position] = None,
        on_epoch_change: str = "live-only",
        on_reset: Optional[Callable[[ResetEvent], Union[None, Awaitable[None]]]] = None,
        on_disconnect: Optional[Callable[[Disconnect], None]] = None,
        backoff: Optional[Backoff] = None,
        heartbeat_factor: float = 2.5,
        max_buffer: int = 1000,
        open_timeout: float = 10.0,
    ) -> None:
        if on_epoch_change not in ("live-only", "replay-all"):
            raise ValueError('on_epoch_change must be "live-only" or "replay-all"')
        self.url = url
        self.filters = filters or {}
        self.on_epoch_change = on_epoch_change
        self.on_reset = on_reset
        self.on_disconnect = on_disconnect
        self.heartbeat_factor = heartbeat_factor
        self.open_timeout = open_timeout
        self.connects = 0
        self.disconnects: list[Disconnect] = []
        self._token = token
        self._backoff = backoff or Backoff()
        self._max_buffer = max_buffer
        self._queue: Optional[asyncio.Queue] = None
        self._epoch: Optional[str] = position.epoch if position else None
        self._received: Optional[int] = position.seq if position else None
        self._delivered: Optional[int] = self._received
        self._sent_since: Optional[int] = None
        self._task: Optional[asyncio.Task] = None
        self._ws: Any = None
        self._closing = False

    @property
    def position(self) -> Optional[Position]:
        """The resume point to persist: the last signal delivered and its epoch."""
        if self._epoch is None or self._delivered is None:
            return None
        return Position(self._epoch, self._delivered)

    async def start(self) -> "CatalystClient":
        self._queue = asyncio.Queue(maxsize=self._max_buffer)
        self._task = asyncio.create_task(self._run())
        return self

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            await self._ws.close(1000, "client closing")
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    async def __aenter__(self) -> "CatalystClient":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> "CatalystClient":
        return self

    async def __anext__(self) -> dict:
        if self._queue is None:
            raise RuntimeError("start the client first (async with CatalystClient(...) as client)")
        if self._closing:
            raise StopAsyncIteration
        item = await self._queue.get()
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, _End):
            raise StopAsyncIteration
        self._delivered = item["seq"]
        return item

    # -- the connection loop --------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._queue is not None
        try:
            while not self._closing:
                code, reason = await self._session()
                if self._closing:
                    return
                action = action_for(code)
                if action in (STOP, FIX_CLIENT):
                    self._note(Disconnect(code, reason, action, None))
                    await self._queue.put(CatalystClosed(code, reason, action))
                    return
                delay = self._backoff.next_delay(4.0 if action == RESUME_AFTER_BACKOFF else 1.0)
                self._note(Disconnect(code, reason, action, delay))
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # a bug or a wrong URL: the application must hear of it
            await self._queue.put(err)

    def _note(self, d: Disconnect) -> None:
        self.disconnects.append(d)
        log.info("disconnected %s (%s): %s%s", d.code, d.reason, d.action,
                 "" if d.delay is None else f", reconnecting in {d.delay:.2f} s")
        if self.on_disconnect:
            self.on_disconnect(d)

    async def _session(self) -> tuple[int, str]:
        """One WebSocket session, from connect to close; returns the close code and reason."""
        try:
            ws = await websockets.connect(
                self.url,
                open_timeout=self.open_timeout,
                ping_interval=None,  # the server's heartbeats are the liveness signal
                max_size=2**24,
                max_queue=16,
                close_timeout=2,
            )
        except (OSError, asyncio.TimeoutError, websockets.exceptions.InvalidHandshake) as err:
            return 1006, f"connect failed: {err}"
        self._ws = ws
        self.connects += 1
        try:
            await ws.send(json.dumps({"type": "auth", "token": self._token}))
            timeout = self.open_timeout
            while True:
                try:
                    text = await asyncio.wait_for(ws.recv(), timeout)
                except asyncio.TimeoutError:
                    await ws.close(HEARTBEAT_MISSED, "heartbeat missed")
                    return HEARTBEAT_MISSED, "no message within the heartbeat deadline"
                data = json.loads(text)
                for m in data if isinstance(data, list) else [data]:
                    kind = m.get("type")
                    if kind == "signal":
                        await self._on_signal(m)
                    elif kind == "welcome":
                        timeout = m["heartbeat_ms"] * self.heartbeat_factor / 1000
                        await self._on_welcome(ws, m)
                    elif kind == "subscribed":
                        self._backoff.reset()
                    elif kind == "reset":
                        await self._start_over(m["epoch"], m["last_seq"], "server_reset", self._sent_since == 0)
                        await self._subscribe(ws)
                    elif kind == "error":
                        log.warning("server refused a message: %s", m.get("message"))
        except websockets.exceptions.ConnectionClosed as err:
            return _close_of(err)
        finally:
            self._ws = None
            await ws.close()

    async def _on_welcome(self, ws: Any, m: dict) -> None:
        if not self._epoch:
            # A first start, or a position from "any history": adopt the server's epoch.
            self._epoch = m["epoch"]
            if self._received is None:
                self._received = self._delivered = m["last_seq"]
        elif m["epoch"] != self._epoch:
            await self._start_over(m["epoch"], m["last_seq"], "epoch_changed", False)
        await self._subscribe(ws)

    async def _subscribe(self, ws: Any) -> None:
        self._sent_since = self._received
        await ws.send(
            json.dumps(
                {"type": "subscribe", "filters": self.filters, "since_seq": self._received, "epoch": self._epoch}
            )
        )

    async def _on_signal(self, m: dict) -> None:
        seq = m["seq"]
        if self._received is not None and seq <= self._received:
            return  # sent again by a resumed session
        self._received = seq
        signal = m["signal"]
        if signal.get("seq") != seq:
            signal = {**signal, "seq": seq}
        assert self._queue is not None
        await self._queue.put(signal)

    async def _start_over(self, epoch: str, last_seq: int, reason: str, tried_replay: bool) -> None:
        previous = self.position
        # Replaying "everything" that the server just refused (a reset answering since_seq 0) would loop.
        start = 0 if self.on_epoch_change == "replay-all" and not tried_replay else last_seq
        self._epoch = epoch
        self._received = self._delivered = start
        assert self._queue is not None
        while not self._queue.empty():  # those belonged to the old history
            self._queue.get_nowait()
        log.warning("stream reset (%s): epoch %s, restarting at seq %s", reason, epoch, start)
        if self.on_reset:
            result = self.on_reset(ResetEvent(epoch, last_seq, start, reason, previous))
            if inspect.isawaitable(result):
                await result


def _close_of(err: Exception) -> tuple[int, str]:
    """The close code and reason the server sent (1006 when none came), across websockets versions."""
    rcvd = getattr(err, "rcvd", None)
    if rcvd is not None:
        return rcvd.code, rcvd.reason
    code = getattr(err, "code", None)
    return (code if isinstance(code, int) else 1006), getattr(err, "reason", "") or ""
