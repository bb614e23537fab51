"""The Python client against a real Catalyst node: exactly once and in order across a node restart,
reset on a new epoch, 4403 on revoke stops without retrying, 4408 resumes without loss."""

from __future__ import annotations

import asyncio
import json
import sys
import unittest
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalyst_client import (  # noqa: E402
    CLOSE_ACTIONS,
    Backoff,
    CatalystClient,
    CatalystClosed,
    Position,
    publish,
)
from node import Node, make_signal, wait_for  # noqa: E402


async def collect(client: CatalystClient, into: list, count: int) -> None:
    async for signal in client:
        into.append(signal)
        if len(into) >= count:
            return


class NodeTest(unittest.IsolatedAsyncioTestCase):
    env: dict = {}

    async def asyncSetUp(self) -> None:
        self.node = Node({"CATALYST_HEARTBEAT_MS": "500", **self.env})
        self.addCleanup(self.node.dispose)
        await asyncio.to_thread(self.node.start)
        self.admin = await asyncio.to_thread(self.node.create_token, "py-admin", "admin")

    def client(self, **kw) -> CatalystClient:
        c = CatalystClient(self.node.ws_url, kw.pop("token", self.admin), backoff=Backoff(0.05, 1.0), **kw)
        self.addAsyncCleanup(c.close)
        return c

    async def publish_many(self, n: int, **over) -> list[int]:
        return [(await publish(self.node.url, self.admin, make_signal(**over)))["seq"] for _ in range(n)]


class Resume(NodeTest):
    async def test_exactly_once_in_order_across_a_node_restart(self) -> None:
        got: list = []
        async with self.client(filters={"tickers": ["nbtx"]}) as client:
            reader = asyncio.create_task(collect(client, got, 40))
            await wait_for(lambda: client.position is not None, "the first subscribe")
            seqs = await self.publish_many(20)
            await self.publish_many(5, ticker="ACME")  # filtered out
            await wait_for(lambda: len(got) >= 10, "some signals before the restart")
            await asyncio.to_thread(self.node.restart)
            # publish() retries through the restart window; ids make the retries safe.
            seqs += await self.publish_many(20)
            await asyncio.wait_for(reader, 30)
        self.assertEqual([s["seq"] for s in got], seqs, "every match once, in seq order")
        self.assertTrue(all(s["ticker"] == "NBTX" for s in got))
        self.assertGreaterEqual(client.connects, 2, "it reconnected")
        self.assertIn(1001, [d.code for d in client.disconnects], "the drain said going away")

    async def test_publish_retry_of_the_same_id_is_stored_once(self) -> None:
        signal = make_signal()
        first = await publish(self.node.url, self.admin, signal)
        again = await publish(self.node.url, self.admin, signal)
        self.assertEqual((first["status"], again["status"]), (201, 200))
        self.assertEqual(first["seq"], again["seq"])


class Reset(NodeTest):
    async def test_a_new_epoch_resets_the_stream(self) -> None:
        resets: list = []
        got: list = []
        async with self.client(on_reset=resets.append, on_epoch_change="replay-all") as client:
            reader = asyncio.create_task(collect(client, got, 9))
            await wait_for(lambda: client.position is not None, "the first subscribe")
            old_seqs = await self.publish_many(3)
            await wait_for(lambda: len(got) == 3, "three signals of the first history")
            old = client.position
            # The store claims a new history (restored): the client's seqs mean nothing there.
            await asyncio.to_thread(self.node.restart, True)
            new = await self.publish_many(3)
            await asyncio.wait_for(reader, 30)
        self.assertEqual(len(resets), 1)
        self.assertEqual(resets[0].reason, "epoch_changed")
        self.assertEqual(resets[0].previous, old)
        self.assertEqual(resets[0].epoch, self.node.epoch)
        self.assertEqual([s["seq"] for s in got[3:]], old_seqs + new, "the new history from its start")
        self.assertEqual(client.position, Position(self.node.epoch, new[-1]))

    async def test_a_position_beyond_the_head_gets_reset_and_goes_live(self) -> None:
        resets: list = []
        got: list = []
        start = Position(self.node.epoch, 1000)
        async with self.client(position=start, on_reset=resets.append) as client:
            await wait_for(lambda: resets, "the reset")
            reader = asyncio.create_task(collect(client, got, 2))
            await wait_for(lambda: client.position == Position(self.node.epoch, 0), "the live position")
            seqs = await self.publish_many(2)
            await asyncio.wait_for(reader, 15)
        self.assertEqual(resets[0].reason, "server_reset")
        self.assertEqual([s["seq"] for s in got], seqs)


class Revoke(NodeTest):
    async def test_4403_on_revoke_stops_without_retrying(self) -> None:
        status, body = await asyncio.to_thread(
            self.node.request, "POST", "/admin/tokens", self.admin, {"name": "py-sub", "scopes": ["subscribe"]}
        )
        self.assertEqual(status, 201)
        async with self.client(token=body["token"]) as client:
            await wait_for(lambda: client.position is not None, "the subscribe")
            status, _ = await asyncio.to_thread(self.node.request, "DELETE", "/admin/tokens/py-sub", self.admin)
            self.assertEqual(status, 204)
            with self.assertRaises(CatalystClosed) as raised:
                await asyncio.wait_for(collect(client, [], 1), 10)
            self.assertEqual(raised.exception.code, 4403)
            self.assertEqual(raised.exception.action, "stop")
            await asyncio.sleep(0.3)  # a retry would have connected again by now
            self.assertEqual(client.connects, 1, "no reconnect after 4403")


class SlowConsumer(NodeTest):
    env = {"CATALYST_SEND_BUFFER_BYTES": str(64 * 1024)}

    async def test_4408_resumes_without_loss(self) -> None:
        got: list = []
        async with self.client(max_buffer=8) as client:
            await wait_for(lambda: client.position is not None, "the subscribe")
            # The application stops reading while megabytes are published: past the kernel's socket
            # buffers the server's buffer for this session passes its limit and it closes 4408.
            padding = "x" * 7000
            seqs: list[int] = []
            for _ in range(48):
                batch = [make_signal(metadata={"padding": padding}) for _ in range(25)]
                status, body = await asyncio.to_thread(self.node.request, "POST", "/signals/batch", self.admin, batch)
                self.assertEqual(status, 201)
                seqs += [r["seq"] for r in body["results"]]
            await asyncio.wait_for(collect(client, got, len(seqs)), 60)
        self.assertEqual([s["seq"] for s in got], seqs, "every signal once, in order")
        codes = [d.code for d in client.disconnects]
        self.assertTrue(codes, "the session was closed at least once")
        # 4408 as a rule; 1006 only when the application stayed away past the server's 5 s wait for
        # the close handshake (it then drops the connection, and the close frame with it).
        self.assertIn(codes[0], (4408, 1006), f"closed as a slow consumer: {client.disconnects}")


class Catalogue(NodeTest):
    async def test_close_actions_match_the_servers_catalogue(self) -> None:
        def fetch() -> dict:
            with urllib.request.urlopen(self.node.url + "/asyncapi.json", timeout=10) as res:
                return json.loads(res.read())

        doc = await asyncio.to_thread(fetch)
        served = {c["code"]: c["action"] for c in doc["channels"]["session"]["x-close-codes"]}
        self.assertEqual(CLOSE_ACTIONS, served)


class BackoffTest(unittest.TestCase):
    def test_full_jitter_stays_under_the_growing_cap(self) -> None:
        b = Backoff(base=0.1, cap=2.0, rand=lambda: 0.999)
        delays = [b.next_delay() for _ in range(8)]
        self.assertEqual([round(d, 2) for d in delays[:4]], [0.1, 0.2, 0.4, 0.8])
        self.assertTrue(all(d < 2.0 for d in delays))
        low = Backoff(base=0.1, cap=2.0, rand=lambda: 0.0)
        self.assertEqual(low.next_delay(), 0.0)


if __name__ == "__main__":
    unittest.main()
