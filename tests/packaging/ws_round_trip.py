#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A WebSocket round trip against a running node, then its drain, for install_deb.sh.

Usage: ws_round_trip.py HOST PORT TOKEN API_KEY DAEMON_PID

Connects to ws://HOST:PORT/v1/ws, authenticates with TOKEN, subscribes to a channel,
publishes to it with POST /v1/publish (Authorization: Bearer API_KEY) and waits for
the publication. Then it sends SIGTERM to DAEMON_PID and expects the drain: the
disconnect push with code 4007, then a close frame with code 4007, which it answers.
Exits 0 when all of that happened, 1 with a message otherwise. Standard library only.
"""

import base64
import json
import os
import signal
import socket
import struct
import sys
import time
import urllib.error
import urllib.request

TIMEOUT = 10.0
CHANNEL = "packaging-test"


class Failure(Exception):
    pass


class WebSocket:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /v1/ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if " 101 " not in status + " ":
            raise Failure(f"the upgrade was answered {status!r}, not 101")

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise Failure("the node closed the TCP connection")
        self.buffer += chunk

    def _take(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def send(self, opcode, payload):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_json(self, value):
        self.send(0x1, json.dumps(value).encode())

    def frame(self):
        """The next data or close frame as (opcode, payload); pings are answered."""
        while True:
            b0, b1 = self._take(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if b1 & 0x80:
                raise Failure("the node sent a masked frame")
            if n == 126:
                n = struct.unpack("!H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._take(8))[0]
            payload = self._take(n)
            if opcode == 0x9:
                self.send(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if not b0 & 0x80:
                raise Failure("fragmented frames are not expected from the node")
            return opcode, payload

    def message(self, what):
        opcode, payload = self.frame()
        if opcode == 0x8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            raise Failure(f"the node closed the connection (code {code}, {payload[2:]!r}) while waiting for {what}")
        if opcode != 0x1:
            raise Failure(f"a frame with opcode {opcode} while waiting for {what}")
        return json.loads(payload)


def reply(ws, wanted_id, what):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        msg = ws.message(what)
        if msg.get("id") == wanted_id:
            if "ok" not in msg:
                raise Failure(f"{what} was refused: {msg}")
            return msg["ok"]
    raise Failure(f"no reply to {what}")


def main():
    host, port, token, api_key, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
    ws = WebSocket(host, port)
    ws.send_json({"id": 1, "op": "connect", "token": token, "name": "packaging-test"})
    connected = reply(ws, 1, "connect")
    print(f"ws: connected as {connected.get('user')} to node {connected.get('node')}")
    ws.send_json({"id": 2, "op": "subscribe", "channel": CHANNEL})
    reply(ws, 2, "subscribe")

    data = {"text": "from the installed package"}
    request = urllib.request.Request(
        f"http://{host}:{port}/v1/publish", method="POST",
        data=json.dumps({"channel": CHANNEL, "data": data}).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            published = json.load(response)["ok"]
    except urllib.error.HTTPError as e:
        raise Failure(f"POST /v1/publish answered {e.code}: {e.read()!r}")
    print(f"http: published at offset {published['offset']}")

    msg = ws.message("the publication")
    while msg.get("push") != "pub":
        msg = ws.message("the publication")
    if msg.get("channel") != CHANNEL or msg.get("data") != data or msg.get("offset") != published["offset"]:
        raise Failure(f"the publication arrived as {msg}, expected {data} at offset {published['offset']}")
    print("ws: the publication arrived")

    os.kill(pid, signal.SIGTERM)
    msg = ws.message("the drain's disconnect push")
    if msg.get("push") != "disconnect" or msg.get("code") != 4007 or msg.get("reconnect") is not True:
        raise Failure(f"after SIGTERM the node sent {msg}, not the disconnect push with code 4007")
    opcode, payload = ws.frame()
    code = struct.unpack("!H", payload[:2])[0] if opcode == 0x8 and len(payload) >= 2 else None
    if code != 4007:
        raise Failure(f"after the disconnect push: opcode {opcode}, close code {code}; expected a close with 4007")
    ws.send(0x8, struct.pack("!H", 4007))
    ws.sock.close()
    print("ws: drained with 4007")


if __name__ == "__main__":
    try:
        main()
    except (Failure, OSError, ValueError, KeyError) as e:
        print(f"ws_round_trip: {e}", file=sys.stderr)
        sys.exit(1)
