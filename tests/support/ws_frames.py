"""A raw WebSocket client for the one thing a library client cannot do: lie about a size.

``announce_huge_message`` opens a handshake by hand, sends a frame header that
announces ``size`` bytes followed by only 1 KiB, and returns the close code the
server answers with. A server that waited for the rest would time out instead,
so the answer shows the server refused the message from its header, before
reading it, and deterministically (a client really sending megabytes races the
server's close).
"""

from __future__ import annotations

import socket
import struct
from typing import BinaryIO


def announce_huge_message(host: str, port: int, path: str, size: int) -> int:
    """The close code the server sends after a header announcing ``size`` bytes."""
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
            + b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        reader = sock.makefile("rb")
        status = reader.readline()
        if not status.startswith(b"HTTP/1.1 101"):
            raise AssertionError(f"the handshake was refused: {status!r}")
        while reader.readline() not in (b"\r\n", b""):
            pass
        # A masked text frame (FIN, opcode 1) whose header gives the size; mask 0 keeps bytes.
        header = bytes([0x81, 0x80 | 127]) + struct.pack("!Q", size) + bytes(4)
        sock.sendall(header + b"x" * 1024)
        return close_code(reader)  # raises TimeoutError if the server waits for the rest


def close_code(reader: BinaryIO) -> int:
    """Read the server's frames (unmasked) until its close frame; return the close code."""
    while True:
        head = reader.read(2)
        if len(head) < 2:
            raise AssertionError("the connection ended without a close frame")
        first, second = head
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", reader.read(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", reader.read(8))
        payload = reader.read(length)
        if first & 0x0F == 0x8:
            code: int = struct.unpack("!H", payload[:2])[0]
            return code
