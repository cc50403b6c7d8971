"""One bound SMPP session: smpplib's client connects, binds and makes the PDUs; reading is buffered here, so
that draining what the centre has sent never blocks on half a PDU, and a window of PDUs goes out in one write."""

from __future__ import annotations

import select
import socket
import struct
import time

from smpplib import client as smpp_client
from smpplib import command_codes, consts, exceptions, smpp

HEADER = struct.Struct(">LLLL")
MAX_PDU = 64 * 1024  # far above any real PDU: a larger length means the stream is out of step
READ_SIZE = 256 * 1024


class SessionLost(Exception):
    """The connection is gone or unusable; a new session is needed."""


class BindRefused(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class UnknownPdu:
    """A PDU smpplib has no class for: answered with generic_nack when it is a request."""

    def __init__(self, command_id: int, sequence: int):
        self.command = None
        self.command_id = command_id
        self.sequence = sequence


class Session:
    def __init__(self, host: str, port: int, system_id: str, password: str, *, timeout: float) -> None:
        self.client = smpp_client.Client(
            host,
            port,
            timeout=timeout,
            allow_unknown_opt_params=True,
            logger_name="bawaba.notifications.smpp",
        )
        self._buffer = bytearray()
        self._lost: str | None = None
        try:
            self.client.connect()
            self.client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.client.bind_transceiver(system_id=system_id, password=password)
        except exceptions.PDUError as refused:
            self._abandon()
            status = refused.args[1] if len(refused.args) > 1 else consts.SMPP_ESME_RBINDFAIL
            raise BindRefused(status) from refused
        except (exceptions.ConnectionError, OSError) as lost:
            self._abandon()
            raise SessionLost(str(lost) or "connection refused") from lost
        self._socket = self.client._socket
        self.last_heard = time.monotonic()

    @property
    def open(self) -> bool:
        return self.client._socket is not None

    def make(self, command: str, **fields):
        """A PDU numbered from this session's sequence."""
        return smpp.make_pdu(command, client=self.client, **fields)

    def answer(self, request, command: str, status: int = consts.SMPP_ESME_ROK):
        pdu = smpp.make_pdu(command, client=self.client, status=status)
        pdu.sequence = request.sequence
        return pdu

    def send(self, pdus) -> None:
        try:
            self._socket.sendall(b"".join([pdu.generate() for pdu in pdus]))
        except OSError as lost:
            raise SessionLost(str(lost)) from lost

    def read(self, timeout: float) -> list:
        """The PDUs that have arrived, waiting up to `timeout` seconds for at least one; [] when none did.

        When the connection ends, what came before the end is still returned first; the next read raises."""
        deadline = time.monotonic() + timeout
        while True:
            if self._lost is None:
                try:
                    readable, _, _ = select.select(
                        [self._socket], [], [], max(0.0, deadline - time.monotonic())
                    )
                    while readable:
                        chunk = self._socket.recv(READ_SIZE)
                        if not chunk:
                            self._lost = "the SMS centre closed the connection"
                            break
                        self._buffer += chunk
                        readable, _, _ = select.select([self._socket], [], [], 0)
                except OSError as error:
                    self._lost = str(error) or type(error).__name__
            pdus = self._parse()
            if pdus:
                return pdus
            if self._lost is not None:
                raise SessionLost(self._lost)
            if time.monotonic() >= deadline:
                return []

    def _parse(self) -> list:
        buffer = self._buffer
        pdus = []
        start = 0
        while len(buffer) - start >= 16:
            length, command_id, _status, sequence = HEADER.unpack_from(buffer, start)
            if not 16 <= length <= MAX_PDU:
                raise SessionLost(f"a PDU of {length} octets: the stream is out of step")
            if len(buffer) - start < length:
                break
            raw = bytes(buffer[start : start + length])
            start += length
            if command_id not in _KNOWN_COMMANDS:
                pdus.append(UnknownPdu(command_id, sequence))
                continue
            try:
                pdus.append(smpp.parse_pdu(raw, client=self.client, allow_unknown_opt_params=True))
            except Exception:  # a malformed body: answer it as unknown rather than drop the session
                pdus.append(UnknownPdu(command_id, sequence))
        if start:
            del buffer[:start]
        if pdus:
            self.last_heard = time.monotonic()
        return pdus

    def unbind(self, timeout: float) -> None:
        """Says goodbye and waits briefly for the centre's unbind_resp; then the connection is closed."""
        try:
            if self.open and self.client.state != consts.SMPP_CLIENT_STATE_OPEN:
                self.send([self.make("unbind")])
                deadline = time.monotonic() + timeout
                while (left := deadline - time.monotonic()) > 0:
                    if any(pdu.command == "unbind_resp" for pdu in self.read(left)):
                        break
        except SessionLost:
            pass
        finally:
            self._abandon()

    def _abandon(self) -> None:
        if self.client._socket is not None:
            self.client.state = consts.SMPP_CLIENT_STATE_OPEN  # closing a bound session on purpose
            self.client.disconnect()


_KNOWN_COMMANDS = set(command_codes.commands.values())
