"""The heartbeat watchdog against a small server that welcomes, then falls silent without closing
(a dead link no one noticed): the client drops it after 2.5 heartbeats, reconnects and resumes."""

from __future__ import annotations

import asyncio
import json
import sys
import unittest
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalyst_client import Backoff, CatalystClient  # noqa: E402
from catalyst_client.client import HEARTBEAT_MISSED  # noqa: E402
from node import wait_for  # noqa: E402


class Watchdog(unittest.IsolatedAsyncioTestCase):
    async def test_silence_past_the_heartbeat_deadline_reconnects_and_resumes(self) -> None:
        subscribes: list[dict] = []

        async def session(ws, path=None) -> None:  # path: websockets < 10.1 passes it
            await ws.recv()  # auth
            await ws.send(json.dumps(
                {"type": "welcome", "client_id": "c", "session_id": "s", "epoch": "e1", "last_seq": 5, "heartbeat_ms": 100}
            ))
            subscribes.append(json.loads(await ws.recv()))
            if len(subscribes) == 1:
                await ws.send(json.dumps({"type": "signal", "seq": 6, "signal": {"seq": 6, "ticker": "NBTX"}}))
            await ws.wait_closed()  # silent, until the client gives up on it

        server = await websockets.serve(session, "127.0.0.1", 0)
        self.addAsyncCleanup(server.wait_closed)
        self.addCleanup(server.close)
        port = server.sockets[0].getsockname()[1]
        client = CatalystClient(f"ws://127.0.0.1:{port}/ws", "t", backoff=Backoff(0.01, 0.05))
        self.addAsyncCleanup(client.close)
        await client.start()
        first = await asyncio.wait_for(client.__anext__(), 5)
        self.assertEqual(first["seq"], 6)
        await wait_for(lambda: len(subscribes) >= 2, "a second session after the silence", 5)
        self.assertEqual(client.disconnects[0].code, HEARTBEAT_MISSED)
        self.assertEqual(subscribes[1]["since_seq"], 6, "it resumed after the last signal")
        self.assertEqual(subscribes[1]["epoch"], "e1")


if __name__ == "__main__":
    unittest.main()
