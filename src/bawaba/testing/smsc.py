"""An SMS centre (SMSC) speaking SMPP 3.4 on a local TCP port: the tests' and the benchmark's far end of the
smpp provider.

    with SmscSimulator() as smsc:
        provider = SmppProvider("127.0.0.1", smsc.port, ...)
        ...
        smsc.wait_until(lambda s: len(s.messages) == 3)

It binds (transmitter, receiver, transceiver; system_id and password checked when given), answers submit_sm
with a fresh message_id, joins concatenated parts (8- and 16-bit UDH references), decodes GSM 7-bit and UCS-2,
and sends a delivery receipt (deliver_sm) per part when one is asked for. Faults on demand: refuse(), hold() /
release(), stop() / start() on the same port, a receipt state per destination.

The centre runs on an asyncio loop in its own thread; everything it keeps is touched only on that thread, and
the methods below hop onto it, so nothing on the hot path takes a lock, sleeps or logs.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from smpplib import consts, smpp
from smpplib.client import SimpleSequenceGenerator

from bawaba.notifications.providers.smpp.encoding import gsm_decode

HEADER = struct.Struct(">LLLL")
MAX_PDU = 64 * 1024
RESPONSE = 0x80000000

BIND_RECEIVER, BIND_TRANSMITTER, SUBMIT_SM, UNBIND = 0x01, 0x02, 0x04, 0x06
BIND_TRANSCEIVER, ENQUIRE_LINK = 0x09, 0x15
BINDS = {BIND_RECEIVER: "bind_receiver", BIND_TRANSMITTER: "bind_transmitter"}
BINDS |= {BIND_TRANSCEIVER: "bind_transceiver"}
MESSAGE_STATES = {"DELIVRD": 2, "EXPIRED": 3, "DELETED": 4, "UNDELIV": 5, "ACCEPTD": 6, "UNKNOWN": 7}
MESSAGE_STATES |= {"REJECTD": 8}


@dataclass(frozen=True)
class SimulatedSms:
    """One message as the centre took it: its parts joined and decoded."""

    destination: str  # +E.164 when sent with TON international, else as sent
    source: str
    text: str
    segments: int
    message_ids: tuple[str, ...]
    data_coding: int
    source_addr_ton: int
    source_addr_npi: int
    dest_addr_ton: int
    dest_addr_npi: int
    esm_class: int
    system_id: str


def short_message_text(data: bytes, data_coding: int) -> str:
    """A part's text as a phone would show it; a character cut in two between parts shows as U+FFFD."""
    if data_coding == 0x08:
        return data.decode("utf-16-be", errors="replace")
    if data_coding == 0x00:
        return gsm_decode(data)
    if data_coding in (0x01, 0x03):
        return data.decode("latin-1")
    return data.hex()


def user_data_header(short_message: bytes) -> tuple[tuple[int, int, int] | None, bytes]:
    """((reference, total, sequence) or None, the text's octets) from a short_message that starts with a UDH."""
    if not short_message:
        return None, short_message
    length = short_message[0]
    header, rest = short_message[1 : 1 + length], short_message[1 + length :]
    concatenation = None
    position = 0
    while position + 2 <= len(header):
        iei, size = header[position], header[position + 1]
        value = header[position + 2 : position + 2 + size]
        if iei == 0x00 and size == 3:
            concatenation = (value[0], value[1], value[2])
        elif iei == 0x08 and size == 4:
            concatenation = (value[0] << 8 | value[1], value[2], value[3])
        position += 2 + size
    return concatenation, rest


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else (value or "")


def _address(addr: str, ton: int) -> str:
    return f"+{addr}" if ton == consts.SMPP_TON_INTL and addr.isdigit() else addr


class _Connection(asyncio.Protocol):
    def __init__(self, centre: SmscSimulator) -> None:
        self.centre = centre
        self.buffer = bytearray()
        self.bound = 0  # the bind command id once bound
        self.system_id = ""
        self.sequences = SimpleSequenceGenerator()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.closing = False

    @property
    def receives(self) -> bool:
        return self.bound in (BIND_RECEIVER, BIND_TRANSCEIVER)

    def connection_made(self, transport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.centre._connections.add(self)

    def connection_lost(self, exc) -> None:
        self.closed = True
        self.centre._connections.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        buffer = self.buffer
        start = 0
        out: list[bytes] = []
        while len(buffer) - start >= 16:
            length, command_id, _status, sequence = HEADER.unpack_from(buffer, start)
            if not 16 <= length <= MAX_PDU:
                self.transport.abort()
                return
            if len(buffer) - start < length:
                break
            raw = bytes(buffer[start : start + length])
            start += length
            self.centre._handle(self, command_id, sequence, raw, out)
            if self.closed or self.closing:
                break
        del buffer[:start]
        if out and not self.closed:
            self.transport.write(b"".join(out))
        if self.closing and not self.closed:
            self.closed = True
            self.transport.close()  # after what was written

    def send(self, data: bytes) -> None:
        if not self.closed:
            self.transport.write(data)


def _response(command_id: int, sequence: int, status: int = 0, body: bytes = b"") -> bytes:
    return HEADER.pack(16 + len(body), command_id | RESPONSE, status, sequence) + body


class SmscSimulator:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        system_id: str | None = None,
        password: str | None = None,
        record: bool = True,
        receipt_tlvs: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.system_id, self.password = system_id, password
        self.record = record  # False keeps counts only (a long benchmark run)
        self.receipt_tlvs = receipt_tlvs  # receipted_message_id and message_state beside the receipt text
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[_Connection] = set()
        self._messages: list[SimulatedSms] = []
        self._accepted: Counter[str] = Counter()
        self._parts: dict[tuple, dict[int, tuple[str, str]]] = {}
        self._refusals: list[list[int]] = []  # [count, status]
        self._holding = False
        self._hold_after = 0
        self._cut_after: int | None = None
        self._held: list[tuple[_Connection, int, object, str]] = []
        self._receipt_states: dict[str, tuple[str, str]] = {}
        self._pending_receipts: list[tuple[str, bytes]] = []  # (system_id, deliver_sm) with no receiver bound
        self._next_id = 0
        self.submitted = 0  # submit_sm taken (answered or held), parts counted one by one
        self.enquire_links = 0
        self.binds: list[tuple[str, str]] = []  # (command, system_id), refused ones too

    # Running

    def __enter__(self) -> SmscSimulator:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._loop is not None

    def start(self) -> None:
        """Listens (again) on the port: 0 picks a free one the first time, and the same one after a stop()."""
        if self.running:
            return
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="smsc-simulator", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            self._server = asyncio.run_coroutine_threadsafe(
                loop.create_server(lambda: _Connection(self), self.host, self.port, reuse_address=True), loop
            ).result(timeout=10)
        except BaseException:
            self._halt()
            raise
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        """The centre goes down: its port closes and every session is cut; submit_sm held are lost."""
        if not self.running:
            return

        async def shut() -> None:
            self._server.close()
            for connection in list(self._connections):
                connection.transport.abort()
            self._held.clear()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(timeout=10)
        self._halt()

    def _halt(self) -> None:
        loop, thread = self._loop, self._thread
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = self._thread = self._server = None

    def serve_forever(self, report: Callable[[str], None] | None = None, every: float = 5.0) -> None:
        """Runs until interrupted, reporting the messages taken every few seconds when `report` is given."""
        self.start()
        seen = 0
        try:
            while True:
                time.sleep(every)
                total = self.submitted
                if report and total != seen:
                    report(
                        f"{total} submit_sm taken ({(total - seen) / every:.0f}/s over the last {every:g} s)"
                    )
                    seen = total
        finally:
            self.stop()

    def _call(self, function: Callable):
        """Runs `function` on the centre's thread (where its state lives) and returns what it returns."""
        if not self.running:
            return function()

        async def call():
            return function()

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=10)

    # What tests read

    @property
    def messages(self) -> list[SimulatedSms]:
        return self._call(lambda: list(self._messages))

    @property
    def accepted(self) -> Counter[str]:
        """Messages taken per destination (+E.164): 2 for one phone means it got the same one twice."""
        return self._call(lambda: Counter(self._accepted))

    @property
    def held(self) -> int:
        return self._call(lambda: len(self._held))

    @property
    def sessions(self) -> int:
        return self._call(lambda: sum(1 for c in self._connections if c.bound))

    def wait_until(self, condition: Callable[[SmscSimulator], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition(self):
            if time.monotonic() > deadline:
                raise TimeoutError("the SMS centre simulator never reached the expected state")
            time.sleep(0.01)

    # Faults on demand

    def refuse(self, count: int, status: int) -> None:
        """The next `count` submit_sm are answered with `status` (e.g. consts.SMPP_ESME_RTHROTTLED)."""
        self._call(lambda: self._refusals.append([count, status]))

    def hold(self, after: int = 0) -> None:
        """submit_sm are taken but not answered until release(), once `after` more have been answered;
        unanswered ones never count as received (the sender must submit them again)."""

        def hold():
            self._holding = True
            self._hold_after = after

        self._call(hold)

    def release(self) -> None:
        """Answers the held submit_sm still on an open session, and takes those messages."""

        def release():
            self._holding = False
            held, self._held = self._held, []
            for connection, sequence, pdu, message_id in held:
                if connection.closed:
                    continue
                out = [_response(SUBMIT_SM, sequence, body=message_id.encode() + b"\0")]
                self._take(connection, pdu, message_id, out)
                connection.send(b"".join(out))

        self._call(release)

    def cut(self, after: int = 0) -> None:
        """The session that answers the next `after` submit_sm is closed right after the last of those answers
        (the centre crashing mid-batch); submit_sm it had not answered yet are lost with it."""

        def cut():
            self._cut_after = after

        self._call(cut)

    def receipt_state(self, destination: str, stat: str = "UNDELIV", err: str = "001") -> None:
        """Receipts for messages to `destination` (+E.164) say `stat` instead of DELIVRD."""
        if stat not in MESSAGE_STATES:
            raise ValueError(f"unknown receipt state {stat!r}; one of {', '.join(MESSAGE_STATES)}")

        def note():
            self._receipt_states[destination] = (stat, err)

        self._call(note)

    # The protocol

    def _handle(self, connection: _Connection, command_id: int, sequence: int, raw: bytes, out: list) -> None:
        if command_id == SUBMIT_SM:
            self._submit_sm(connection, sequence, raw, out)
        elif command_id & RESPONSE:
            pass  # deliver_sm_resp, enquire_link_resp, generic_nack: nothing waits on them here
        elif command_id == ENQUIRE_LINK:
            self.enquire_links += 1
            out.append(_response(ENQUIRE_LINK, sequence))
        elif command_id in BINDS:
            self._bind(connection, command_id, sequence, raw, out)
        elif command_id == UNBIND:
            self._held = [held for held in self._held if held[0] is not connection]
            connection.send(b"".join([*out, _response(UNBIND, sequence)]))
            out.clear()
            connection.closed = True
            connection.transport.close()
        else:
            out.append(_response(0, sequence, consts.SMPP_ESME_RINVCMDID))  # generic_nack

    def _bind(self, connection: _Connection, command_id: int, sequence: int, raw: bytes, out: list) -> None:
        try:
            pdu = smpp.parse_pdu(raw, client=connection.sequences, allow_unknown_opt_params=True)
        except Exception:
            out.append(_response(command_id, sequence, consts.SMPP_ESME_RINVCMDLEN))
            return
        system_id, password = _text(pdu.system_id), _text(pdu.password)
        self.binds.append((BINDS[command_id], system_id))
        if connection.bound:
            status = consts.SMPP_ESME_RALYBND
        elif self.system_id is not None and system_id != self.system_id:
            status = consts.SMPP_ESME_RINVSYSID
        elif self.password is not None and password != self.password:
            status = consts.SMPP_ESME_RINVPASWD
        else:
            status = consts.SMPP_ESME_ROK
        if status:
            out.append(_response(command_id, sequence, status))
            return
        connection.bound, connection.system_id = command_id, system_id
        out.append(_response(command_id, sequence, body=b"bawaba-smsc\0"))
        if connection.receives:
            waiting = [receipt for owner, receipt in self._pending_receipts if owner == system_id]
            self._pending_receipts = [item for item in self._pending_receipts if item[0] != system_id]
            out.extend(waiting)

    def _submit_sm(self, connection: _Connection, sequence: int, raw: bytes, out: list) -> None:
        if connection.bound not in (BIND_TRANSMITTER, BIND_TRANSCEIVER):
            out.append(_response(SUBMIT_SM, sequence, consts.SMPP_ESME_RINVBNDSTS))
            return
        if self._refusals:
            refusal = self._refusals[0]
            refusal[0] -= 1
            if refusal[0] <= 0:
                self._refusals.pop(0)
            out.append(_response(SUBMIT_SM, sequence, refusal[1]))
            return
        try:
            pdu = smpp.parse_pdu(raw, client=connection.sequences, allow_unknown_opt_params=True)
        except Exception:
            out.append(_response(0, sequence, consts.SMPP_ESME_RINVCMDLEN))
            return
        destination = _text(pdu.destination_addr)
        if not destination.isdigit() or len(destination) > 20:
            out.append(_response(SUBMIT_SM, sequence, consts.SMPP_ESME_RINVDSTADR))
            return
        if not _text(pdu.source_addr):
            out.append(_response(SUBMIT_SM, sequence, consts.SMPP_ESME_RINVSRCADR))
            return
        self.submitted += 1
        self._next_id += 1
        message_id = f"{self._next_id:010x}"
        if self._holding:
            if self._hold_after <= 0:
                self._held.append((connection, sequence, pdu, message_id))
                return
            self._hold_after -= 1
        out.append(_response(SUBMIT_SM, sequence, body=message_id.encode() + b"\0"))
        self._take(connection, pdu, message_id, out)
        if self._cut_after is not None:
            self._cut_after -= 1
            if self._cut_after <= 0:
                self._cut_after = None
                connection.closing = True

    def _take(self, connection: _Connection, pdu, message_id: str, out: list) -> None:
        """A part answered with ROK: joined with its siblings, and its receipt sent when one is asked for."""
        short_message = pdu.short_message or b""
        esm_class = pdu.esm_class or 0
        concatenation = None
        if esm_class & 0x40:
            concatenation, short_message = user_data_header(short_message)
        data_coding = pdu.data_coding or 0
        text = short_message_text(short_message, data_coding)
        destination = _address(_text(pdu.destination_addr), pdu.dest_addr_ton or 0)
        source = _text(pdu.source_addr)
        if concatenation is None:
            self._complete(connection, pdu, destination, source, text, (message_id,))
        else:
            reference, total, number = concatenation
            key = (connection.system_id, source, destination, reference, total)
            parts = self._parts.setdefault(key, {})
            parts[number] = (text, message_id)
            if len(parts) == total and all(n in parts for n in range(1, total + 1)):
                del self._parts[key]
                ordered = [parts[n] for n in range(1, total + 1)]
                texts, ids = zip(*ordered, strict=True)
                self._complete(connection, pdu, destination, source, "".join(texts), ids)
        if (pdu.registered_delivery or 0) & 0x03:
            self._receipt(connection, pdu, destination, message_id, text, out)

    def _complete(self, connection, pdu, destination: str, source: str, text: str, ids) -> None:
        self._accepted[destination] += 1
        if self.record:
            self._messages.append(
                SimulatedSms(
                    destination=destination,
                    source=source,
                    text=text,
                    segments=len(ids),
                    message_ids=tuple(ids),
                    data_coding=pdu.data_coding or 0,
                    source_addr_ton=pdu.source_addr_ton or 0,
                    source_addr_npi=pdu.source_addr_npi or 0,
                    dest_addr_ton=pdu.dest_addr_ton or 0,
                    dest_addr_npi=pdu.dest_addr_npi or 0,
                    esm_class=pdu.esm_class or 0,
                    system_id=connection.system_id,
                )
            )

    def _receipt(self, connection: _Connection, pdu, destination: str, message_id: str, text, out) -> None:
        stat, err = self._receipt_states.get(destination, ("DELIVRD", "000"))
        if pdu.registered_delivery & 0x03 == 0x02 and stat == "DELIVRD":
            return  # asked for failures only
        now = datetime.now(UTC).strftime("%y%m%d%H%M")
        excerpt = text[:20] if text[:20].isascii() else ""
        body = (
            f"id:{message_id} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} submit date:{now} "
            f"done date:{now} stat:{stat} err:{err} text:{excerpt}"
        )
        tlvs = {}
        if self.receipt_tlvs:
            tlvs = {"receipted_message_id": message_id, "message_state": MESSAGE_STATES[stat]}
        receiver = connection if connection.receives else None
        if receiver is None:
            receiver = next(
                (c for c in self._connections if c.receives and c.system_id == connection.system_id), None
            )
        deliver_sm = smpp.make_pdu(
            "deliver_sm",
            client=(receiver or connection).sequences,
            service_type="",
            source_addr_ton=pdu.dest_addr_ton,
            source_addr_npi=pdu.dest_addr_npi,
            source_addr=_text(pdu.destination_addr),
            dest_addr_ton=pdu.source_addr_ton,
            dest_addr_npi=pdu.source_addr_npi,
            destination_addr=_text(pdu.source_addr),
            esm_class=0x04,
            data_coding=0,
            short_message=body.encode("latin-1", errors="replace"),
            **tlvs,
        ).generate()
        if receiver is connection:
            out.append(deliver_sm)
        elif receiver is not None:
            receiver.send(deliver_sm)
        else:
            self._pending_receipts.append((connection.system_id, deliver_sm))
