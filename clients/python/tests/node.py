"""A real Catalyst node for the tests: the repository's `catalyst serve`, run by Node (the test
wrapper test/clients/python.test.ts passes its own node binary in CATALYST_NODE_BIN). Each node has
its own temp data dir (the embedded SQLite store) and is killed when its test ends."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NODE = os.environ.get("CATALYST_NODE_BIN", "node")
CLI = [NODE, "--import", "tsx", str(ROOT / "src" / "cli.ts")]


class Node:
    def __init__(self, env: dict | None = None) -> None:
        self.data_dir = tempfile.mkdtemp(prefix="catalyst-py-")
        self.extra_env = env or {}
        self.port = 0
        self.url = ""
        self.epoch = ""
        self.logs: list[str] = []
        self.proc: subprocess.Popen | None = None

    @property
    def ws_url(self) -> str:
        return self.url.replace("http", "ws", 1) + "/ws"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("PORT", "DATABASE_URL", "REDIS_URL")}
        env.update(
            HOST="127.0.0.1",
            PORT=str(self.port),
            CATALYST_DATA_DIR=self.data_dir,
            LOG_LEVEL="info",
            NODE_NO_WARNINGS="1",
            CATALYST_RATE_PUBLISH_PER_TOKEN="10000000/1s",
            CATALYST_RATE_WS_CONNECTS_PER_IP="10000000/1s",
            CATALYST_RATE_WS_CONNECTS_PER_TOKEN="10000000/1s",
            CATALYST_RATE_WS_MESSAGES_PER_SESSION="10000000/1s",
            CATALYST_RATE_REST_READS_PER_TOKEN="10000000/1s",
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> "Node":
        self.proc = subprocess.Popen(
            CLI + ["serve"], cwd=ROOT, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        listening = threading.Event()

        def read(proc: subprocess.Popen) -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.logs.append(line.rstrip())
                if '"catalyst listening"' in line:
                    entry = json.loads(line)
                    self.url, self.epoch = entry["url"], entry["epoch"]
                    self.port = int(self.url.rsplit(":", 1)[1])
                    listening.set()

        self.reader = threading.Thread(target=read, args=(self.proc,), daemon=True)
        self.reader.start()
        deadline = time.monotonic() + timeout
        while not listening.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("node did not start:\n" + "\n".join(self.logs[-40:]))
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout)
        if self.proc and self.proc.stdout:
            self.reader.join(5)  # the pipe ends with the process
            self.proc.stdout.close()

    def restart(self, new_epoch: bool = False) -> None:
        """Stops the node and starts it again on the same port; with new_epoch, its store claims a new
        history, as one restored from a backup does (tokens kept, so clients can come back)."""
        self.stop()
        if new_epoch:
            db = sqlite3.connect(os.path.join(self.data_dir, "catalyst.db"))
            with db:
                db.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", (f"restored-{time.time_ns()}",))
            db.close()
        self.start()

    def dispose(self) -> None:
        self.stop(signal.SIGKILL)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def create_token(self, name: str, scopes: str) -> str:
        """`catalyst tokens create` against this node's store (works whether it runs or not)."""
        out = subprocess.run(
            CLI + ["tokens", "create", "--name", name, "--scope", scopes],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, check=True,
        )
        return out.stdout.strip().splitlines()[-1]

    def request(self, method: str, path: str, token: str, body: object = None) -> tuple[int, object]:
        req = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"authorization": f"Bearer {token}"},
        )
        if body is not None:
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                text = res.read()
                return res.status, json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")


_counter = 0


def make_signal(**over: object) -> dict:
    global _counter
    _counter += 1
    s = {
        "id": f"py-{os.getpid()}-{time.time_ns()}-{_counter}",
        "ticker": "NBTX",
        "title": "Nanobiotix receives FDA Fast Track designation",
        "source": "globenewswire",
        "catalyst": "fda",
        "sentiment": 0.6,
        "confidence": 0.82,
        "published_at": "2026-11-23T14:05:00Z",
    }
    s.update(over)
    return s


async def wait_for(check, what: str, timeout: float = 15.0, interval: float = 0.02):
    """Polls ``check`` (sync or async) until it returns a truthy value, with a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(interval)
