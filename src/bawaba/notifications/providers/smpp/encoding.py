"""SMS text to submit_sm payloads: GSM 7-bit where every character has a GSM 03.38 code, UCS-2 otherwise
(Arabic), split into concatenated parts under a User Data Header when one SMS cannot hold it.

smpplib's gsm.make_parts is not used: it splits the encoded bytes at fixed offsets, so a GSM extension
character (escape + code) or a UCS-2 surrogate pair (an emoji) can be cut in two across parts; its GSM table
has "`" where 0x5F is "§" (a backtick would reach the phone as "§"); and its concatenation reference is random
per message rather than running, so two long messages to one phone can share it.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM = 0x00  # data_coding: the SMSC default alphabet, one septet per octet (the SMSC packs them for the air)
UCS2 = 0x08
UDHI = 0x40  # esm_class: short_message starts with a User Data Header

GSM_SINGLE, GSM_PART = 160, 153  # septets; a part's 6-octet UDH takes 7 septets of the 160
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units; the UDH takes 6 of the 140 octets
MAX_PARTS = 255  # the UDH counts parts in one octet

# GSM 03.38 default alphabet, by code. 0x1B is the escape to the extension table, not a character.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
ESCAPE = 0x1B
GSM_EXTENSION = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E}
GSM_EXTENSION |= {"|": 0x40, "€": 0x65}

_GSM_CODES: dict[str, bytes] = {char: bytes([code]) for code, char in enumerate(GSM_BASIC) if code != ESCAPE}
_GSM_CODES |= {char: bytes([ESCAPE, code]) for char, code in GSM_EXTENSION.items()}
_GSM_CHARS: dict[int, str] = {code: char for code, char in enumerate(GSM_BASIC) if code != ESCAPE}
_GSM_EXTENSION_CHARS = {code: char for char, code in GSM_EXTENSION.items()}


class MessageTooLong(ValueError):
    pass


@dataclass(frozen=True)
class SmsParts:
    data_coding: int
    esm_class: int
    payloads: tuple[bytes, ...]  # one short_message per submit_sm, UDH first when there are several

    @property
    def segments(self) -> int:
        return len(self.payloads)


def gsm_encode(text: str) -> bytes | None:
    """The text as GSM septets (one an octet), or None when a character has no GSM code."""
    codes = _GSM_CODES
    try:
        return b"".join([codes[char] for char in text])
    except KeyError:
        return None


def gsm_decode(data: bytes) -> str:
    chars = []
    escaped = False
    for code in data:
        if escaped:
            chars.append(
                _GSM_EXTENSION_CHARS.get(code, " ")
            )  # unknown extension codes show as a space (03.38)
            escaped = False
        elif code == ESCAPE:
            escaped = True
        else:
            chars.append(_GSM_CHARS.get(code & 0x7F, "?"))
    return "".join(chars)


def _cut(encoded: bytes, size: int, unit: int, splits_pair) -> list[bytes]:
    """Cuts encoded text into chunks of at most `size` octets, never between the two halves of a character."""
    chunks = []
    start = 0
    while start < len(encoded):
        end = min(start + size, len(encoded))
        if end < len(encoded) and splits_pair(encoded, end):
            end -= unit
        chunks.append(encoded[start:end])
        start = end
    return chunks


def _gsm_escape_before(encoded: bytes, end: int) -> bool:
    # Escapes only ever come first in a pair, so an escape just before the cut means the pair straddles it.
    return encoded[end - 1] == ESCAPE


def _high_surrogate_before(encoded: bytes, end: int) -> bool:
    return 0xD8 <= encoded[end - 2] <= 0xDB


def sms_chunks(text: str) -> tuple[int, list[bytes]]:
    """(data_coding, encoded chunks): one chunk when the text fits one SMS, else the parts' texts (no UDH)."""
    encoded = gsm_encode(text)
    if encoded is not None:
        if len(encoded) <= GSM_SINGLE:
            return GSM, [encoded]
        return GSM, _cut(encoded, GSM_PART, 1, _gsm_escape_before)
    encoded = text.encode("utf-16-be")
    if len(encoded) <= 2 * UCS2_SINGLE:
        return UCS2, [encoded]
    return UCS2, _cut(encoded, 2 * UCS2_PART, 2, _high_surrogate_before)


def sms_parts(text: str, reference: int) -> SmsParts:
    """The submit_sm payloads for a text; `reference` (0-255) ties a long message's parts together."""
    data_coding, chunks = sms_chunks(text)
    if len(chunks) == 1:
        return SmsParts(data_coding, 0, (chunks[0],))
    if len(chunks) > MAX_PARTS:
        raise MessageTooLong(len(chunks))
    total = len(chunks)
    # IEI 0x00: concatenated message, 8-bit reference (05 00 03 ref total seq).
    payloads = tuple(
        bytes((5, 0, 3, reference & 0xFF, total, seq)) + chunk for seq, chunk in enumerate(chunks, start=1)
    )
    return SmsParts(data_coding, UDHI, payloads)
