"""SMS over SMPP 3.4, against the SMS centre simulator on a real local socket: encodings and segments, a
windowed batch taken exactly once, receipts, refusals, the centre going away and coming back."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st
from smpplib import consts
from smpplib.client import Client

from bawaba.notifications.providers import Accepted, Outgoing, Refused, TransientFailure
from bawaba.notifications.providers.smpp.encoding import (
    GSM,
    GSM_PART,
    GSM_SINGLE,
    UCS2,
    UCS2_PART,
    UCS2_SINGLE,
    gsm_encode,
    sms_parts,
)
from bawaba.notifications.providers.smpp.provider import SmppProvider
from bawaba.notifications.providers.smpp.receipts import receipt_fields, receipt_time
from bawaba.testing.smsc import SmscSimulator, short_message_text, user_data_header

PHONE = "+201012345678"
ARABIC = "تم استلام طلبكم رقم ١٢٣ وسيتم إشعاركم عند البت فيه. بوابة الخدمات الحكومية "


def sms(body: str, to: str = PHONE, uuid: str = "m1") -> Outgoing:
    return Outgoing(uuid=uuid, channel="sms", to=to, subject="", body=body, language="ar", kind="test")


def arabic(length: int) -> str:
    return (ARABIC * (length // len(ARABIC) + 1))[:length]


def english(length: int) -> str:
    return ("Your application was received. " * 10)[:length]


def collect(batch):
    """What a send_batch yielded, and the exception that ended it (None when it ran to the end)."""
    outcomes = {}
    try:
        for answer in batch:
            if answer is None:
                continue  # a tick while it waits for answers
            uuid, outcome = answer
            assert uuid not in outcomes, f"{uuid} yielded twice"
            outcomes[uuid] = outcome
    except TransientFailure as failure:
        return outcomes, failure
    return outcomes, None


def receipts_until(provider, count: int, timeout: float = 10.0):
    received = []
    deadline = time.monotonic() + timeout
    while len(received) < count:
        assert time.monotonic() < deadline, f"{len(received)} receipts of {count}: {received}"
        received += provider.receipts()
        time.sleep(0.01)
    return received


@pytest.fixture
def smsc():
    with SmscSimulator(system_id="bawaba", password="secret") as centre:
        yield centre


def make_provider(smsc, **options):
    options = {
        "host": "127.0.0.1",
        "port": smsc.port,
        "system_id": "bawaba",
        "password": "secret",
        "source_addr": "Bawaba",
        "window": 10,
        **options,
    }
    return SmppProvider(**options)


@pytest.fixture
def provider(smsc):
    provider = make_provider(smsc)
    yield provider
    provider.close()


# Encodings and segments


@pytest.mark.parametrize("length,segments", [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3)])
def test_arabic_goes_as_ucs2_in_70_or_67_character_parts(smsc, provider, length, segments):
    text = arabic(length)
    outcomes, failure = collect(provider.send_batch([sms(text)]))
    assert failure is None
    assert outcomes["m1"].segments == segments
    smsc.wait_until(lambda s: len(s.messages) == 1)
    [message] = smsc.messages
    assert message.text == text
    assert message.data_coding == UCS2
    assert message.segments == segments
    assert message.esm_class == (0x40 if segments > 1 else 0)
    assert outcomes["m1"].reference == message.message_ids[0]


@pytest.mark.parametrize("length,segments", [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_english_goes_as_gsm_7_bit_in_160_or_153_character_parts(smsc, provider, length, segments):
    text = english(length)
    outcomes, _ = collect(provider.send_batch([sms(text)]))
    assert outcomes["m1"] == Accepted(reference=smsc.messages[0].message_ids[0], segments=segments)
    [message] = smsc.messages
    assert (message.text, message.data_coding, message.segments) == (text, GSM, segments)


def test_gsm_extension_characters_count_twice_and_are_never_cut_between_parts(smsc, provider):
    texts = {"a": "€" * 80, "b": "€" * 81, "c": "x" * 152 + "{}" + "y" * 20}
    outcomes, _ = collect(provider.send_batch([sms(text, uuid=uuid) for uuid, text in texts.items()]))
    assert {uuid: outcome.segments for uuid, outcome in outcomes.items()} == {"a": 1, "b": 2, "c": 2}
    smsc.wait_until(lambda s: len(s.messages) == 3)
    assert sorted(m.text for m in smsc.messages) == sorted(texts.values())
    assert {m.data_coding for m in smsc.messages} == {GSM}


def test_mixed_arabic_and_english_and_emoji_arrive_intact_as_ucs2(smsc, provider):
    texts = {
        "mixed": "رمز التحقق 482913 لبوابة Bawaba، صالح لمدة 10 minutes.",
        "long mixed": ("طلب رقم CASE-2025-000123 " * 8).strip(),
        "emoji": "😀" * 35,  # 70 UTF-16 units: one SMS
        "emoji long": "مرحبا 😀" * 20,
        "emoji on the cut": "ب" * 66 + "😀" * 5,  # the pair would straddle units 67/68: it moves whole
    }
    outcomes, _ = collect(provider.send_batch([sms(text, uuid=uuid) for uuid, text in texts.items()]))
    assert outcomes["emoji"].segments == 1
    assert outcomes["long mixed"].segments == 3
    assert outcomes["emoji on the cut"].segments == 2
    smsc.wait_until(lambda s: len(s.messages) == 5)
    assert sorted(m.text for m in smsc.messages) == sorted(texts.values())
    assert {m.data_coding for m in smsc.messages} == {UCS2}


def test_characters_smpplib_gets_wrong_in_gsm():
    # 0x5F is § in GSM 03.38 (smpplib's table has a backtick there); a backtick has no GSM code at all.
    assert gsm_encode("§") == b"\x5f"
    assert gsm_encode("`") is None
    assert gsm_encode("\x1b") is None
    assert gsm_encode("@€") == b"\x00\x1b\x65"
    assert sms_parts("a ` b", 0).data_coding == UCS2


def test_addresses_are_international_and_the_sender_name_alphanumeric(smsc, provider):
    collect(provider.send_batch([sms("hello")]))
    [message] = smsc.messages
    assert message.destination == PHONE
    assert (message.dest_addr_ton, message.dest_addr_npi) == (1, 1)
    assert (message.source, message.source_addr_ton, message.source_addr_npi) == ("Bawaba", 5, 0)


def test_a_numeric_sender_goes_as_an_international_number(smsc):
    provider = make_provider(smsc, source_addr="+20225555555")
    try:
        collect(provider.send_batch([sms("hello")]))
    finally:
        provider.close()
    [message] = smsc.messages
    assert (message.source, message.source_addr_ton, message.source_addr_npi) == ("20225555555", 1, 1)


@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from("€{}[]~|^\\\fabc @£"),
            st.sampled_from("ابتثجحخ😀👍🏽"),
        ),
        max_size=700,
    ),
    st.integers(0, 255),
)
@settings(max_examples=300, deadline=None)
def test_segmenting_keeps_every_part_within_its_limit_and_joins_back_to_the_text(text, reference):
    parts = sms_parts(text, reference)
    gsm = gsm_encode(text) is not None
    assert parts.data_coding == (GSM if gsm else UCS2)
    single, per_part = (GSM_SINGLE, GSM_PART) if gsm else (2 * UCS2_SINGLE, 2 * UCS2_PART)
    if parts.segments == 1:
        assert parts.esm_class == 0
        assert len(parts.payloads[0]) <= single
        joined = short_message_text(parts.payloads[0], parts.data_coding)
    else:
        assert parts.esm_class == 0x40
        texts = []
        for number, payload in enumerate(parts.payloads, start=1):
            concatenation, body = user_data_header(payload)
            assert concatenation == (reference, parts.segments, number)
            assert 0 < len(body) <= per_part
            texts.append(short_message_text(body, parts.data_coding))
        joined = "".join(texts)
    assert joined == text


# A batch, windowed


def test_a_windowed_batch_is_taken_whole_and_each_message_once(smsc):
    provider = make_provider(smsc, window=25)
    batch = [
        sms(f"رمزك {i:06d}" if i % 2 else f"Code {i:06d}", to=f"+2010{i:08d}", uuid=f"u{i}")
        for i in range(300)
    ]
    try:
        outcomes, failure = collect(provider.send_batch(batch))
    finally:
        provider.close()
    assert failure is None
    assert set(outcomes) == {m.uuid for m in batch}
    assert all(isinstance(outcome, Accepted) for outcome in outcomes.values())
    assert len({outcome.reference for outcome in outcomes.values()}) == 300
    smsc.wait_until(lambda s: len(s.messages) == 300)
    assert set(smsc.accepted.values()) == {1}
    assert {m.destination for m in smsc.messages} == {m.to for m in batch}


def test_the_bind_is_kept_across_batches(smsc, provider):
    for n in range(3):
        collect(provider.send_batch([sms(f"batch {n}", uuid=str(n))]))
    assert smsc.binds == [("bind_transceiver", "bawaba")]
    provider.close()
    smsc.wait_until(lambda s: s.sessions == 0)


def test_a_link_quiet_for_long_is_checked_with_enquire_link(smsc):
    provider = make_provider(smsc, enquire_link_seconds=0)
    try:
        collect(provider.send_batch([sms("one", uuid="1")]))
        collect(provider.send_batch([sms("two", uuid="2")]))
    finally:
        provider.close()
    assert smsc.enquire_links >= 1
    assert len(smsc.binds) == 1


# Receipts


def test_receipts_name_the_reference_and_the_outcome(smsc, provider):
    smsc.receipt_state("+201099999999", "UNDELIV", "001")
    batch = [
        sms("delivered", uuid="ok"),
        sms("never arrives", to="+201099999999", uuid="lost"),
        sms(arabic(140), uuid="long"),  # three parts, one receipt
        sms(arabic(140), to="+201099999999", uuid="long lost"),
    ]
    outcomes, _ = collect(provider.send_batch(batch))
    receipts = {r.reference: r for r in receipts_until(provider, 4)}
    assert set(receipts) == {outcome.reference for outcome in outcomes.values()}
    assert receipts[outcomes["ok"].reference].delivered is True
    assert receipts[outcomes["long"].reference].delivered is True
    for uuid in ("lost", "long lost"):
        receipt = receipts[outcomes[uuid].reference]
        assert receipt.delivered is False
        assert "UNDELIV" in receipt.error and "001" in receipt.error
    now = datetime.now(UTC)
    for receipt in receipts.values():
        assert now - timedelta(minutes=2) <= receipt.at <= now + timedelta(minutes=1)
    # The centre sends receipts in order on the one session: once a later message's has come, every part's
    # receipt above has been read, and none of them made a receipt of its own.
    later, _ = collect(provider.send_batch([sms("later", uuid="later")]))
    assert [r.reference for r in receipts_until(provider, 1)] == [later["later"].reference]
    assert provider.receipts() == []


def test_receipts_are_read_from_the_text_when_the_centre_sends_no_tlvs():
    with SmscSimulator(receipt_tlvs=False) as smsc:
        smsc.receipt_state("+201099999999", "EXPIRED", "027")
        provider = make_provider(smsc)
        try:
            outcomes, _ = collect(
                provider.send_batch([sms("one"), sms(english(200), to="+201099999999", uuid="m2")])
            )
            receipts = {r.reference: r for r in receipts_until(provider, 2)}
        finally:
            provider.close()
    assert receipts[outcomes["m1"].reference].delivered is True
    expired = receipts[outcomes["m2"].reference]
    assert expired.delivered is False and "EXPIRED" in expired.error


def test_the_receipt_text_is_read_by_field_and_the_message_excerpt_cannot_pose_as_one():
    text = "id:0000000a1 sub:001 dlvrd:000 submit date:2501021530 done date:250102153207 stat:UNDELIV err:001 text:id:evil stat:DELIVRD"
    fields = receipt_fields(text)
    assert fields["id"] == "0000000a1"
    assert fields["stat"] == "UNDELIV"
    assert fields["done date"] == "250102153207"
    assert receipt_time("250102153207", UTC) == datetime(2025, 1, 2, 15, 32, 7, tzinfo=UTC)
    assert receipt_time("2501021532", UTC) == datetime(2025, 1, 2, 15, 32, tzinfo=UTC)
    assert receipt_time("25010215", UTC) is None


def test_receipts_do_not_block_when_nothing_came(smsc, provider):
    assert provider.receipts() == []  # not even bound yet
    collect(provider.send_batch([sms("x")]))
    receipts_until(provider, 1)
    started = time.monotonic()
    assert provider.receipts() == []
    assert time.monotonic() - started < 0.5


# Refusals


@pytest.mark.parametrize(
    "status,name,permanent",
    [
        (consts.SMPP_ESME_RTHROTTLED, "ESME_RTHROTTLED", False),
        (consts.SMPP_ESME_RMSGQFUL, "ESME_RMSGQFUL", False),
        (consts.SMPP_ESME_RSYSERR, "ESME_RSYSERR", False),
        (consts.SMPP_ESME_RSUBMITFAIL, "ESME_RSUBMITFAIL", False),
        (consts.SMPP_ESME_RINVDSTADR, "ESME_RINVDSTADR", True),
        (consts.SMPP_ESME_RINVSRCADR, "ESME_RINVSRCADR", True),
        (consts.SMPP_ESME_RINVMSGLEN, "ESME_RINVMSGLEN", True),
        (0x400, "0x00000400", False),  # a vendor's own code: tried again, never silently dropped
    ],
)
def test_refusals_are_transient_or_permanent_and_say_why(smsc, provider, status, name, permanent):
    smsc.refuse(1, status)
    outcomes, failure = collect(provider.send_batch([sms("one", uuid="1"), sms("two", uuid="2")]))
    assert failure is None
    refused = outcomes["1"]
    assert isinstance(refused, Refused)
    assert refused.permanent is permanent
    assert f"({name})" in refused.reason
    assert refused.reason.startswith("SMS centre")
    assert isinstance(outcomes["2"], Accepted)  # the session goes on
    assert [m.text for m in smsc.messages] == ["two"]


def test_the_destination_refusal_reads_as_words(smsc, provider):
    smsc.refuse(1, consts.SMPP_ESME_RINVDSTADR)
    outcomes, _ = collect(provider.send_batch([sms("x")]))
    assert outcomes["m1"].reason == "SMS centre refused the destination number (ESME_RINVDSTADR)"


def test_a_long_message_with_one_part_refused_is_refused(smsc, provider):
    smsc.refuse(1, consts.SMPP_ESME_RTHROTTLED)
    outcomes, _ = collect(provider.send_batch([sms(arabic(200))]))
    assert outcomes["m1"] == Refused("SMS centre asked us to slow down (ESME_RTHROTTLED)", permanent=False)
    assert smsc.messages == []


@pytest.mark.parametrize(
    "to",
    [
        "0101234567",
        "201012345678",
        "+20 101 234 5678",
        "+2010abc45678",
        "+2010\x0012345678",
        "+0101234567",
        "",
    ],
)
def test_a_destination_that_is_not_e164_is_refused_before_anything_is_sent(smsc, provider, to):
    outcomes, failure = collect(provider.send_batch([sms("x", to=to)]))
    assert failure is None
    assert outcomes["m1"].permanent is True
    assert "international phone number" in outcomes["m1"].reason
    assert outcomes["m1"].reason.isprintable()  # it is stored and shown: no NUL or control characters
    assert smsc.submitted == 0


def test_an_empty_or_overlong_message_is_refused(smsc, provider):
    outcomes, _ = collect(provider.send_batch([sms("", uuid="empty"), sms("ب" * 67 * 256, uuid="huge")]))
    assert outcomes["empty"].permanent is True
    assert outcomes["huge"].permanent is True and "256" in outcomes["huge"].reason
    assert smsc.submitted == 0


@pytest.mark.parametrize(
    "options,complaint",
    [
        ({"password": "longer-than-8"}, "password"),
        ({"system_id": "x" * 16}, "system_id"),
        ({"system_id": "bawaba\x00"}, "system_id"),
        ({"source_addr": "Bawaba Portal Egypt"}, "source_addr"),
        ({"source_addr": "بوابة"}, "source_addr"),
        ({"window": 0}, "window"),
    ],
)
def test_bad_settings_are_refused_with_the_setting_named(smsc, options, complaint):
    with pytest.raises(ImproperlyConfigured, match=complaint):
        make_provider(smsc, **options)


def test_a_wrong_password_is_a_transient_failure_naming_the_status(smsc):
    provider = make_provider(smsc, password="wrong")
    outcomes, failure = collect(provider.send_batch([sms("x")]))
    assert outcomes == {}
    assert "ESME_RINVPASWD" in str(failure)
    assert smsc.submitted == 0


def test_unknown_options_from_later_settings_are_ignored(smsc):
    make_provider(smsc, some_future_option=True).close()


# The centre going away


def test_a_centre_that_is_down_is_a_transient_failure_and_the_provider_binds_again_when_it_is_back(
    smsc, provider
):
    collect(provider.send_batch([sms("before", uuid="before")]))
    smsc.stop()
    outcomes, failure = collect(provider.send_batch([sms("during", uuid="during")]))
    assert outcomes == {}
    assert isinstance(failure, TransientFailure)
    assert "cannot be reached" in str(failure)
    smsc.start()
    outcomes, failure = collect(provider.send_batch([sms("after", uuid="after")]))
    assert failure is None and isinstance(outcomes["after"], Accepted)
    assert [m.text for m in smsc.messages] == ["before", "after"]
    assert len(smsc.binds) == 2


def test_a_session_cut_between_batches_is_replaced_without_a_failure(smsc, provider):
    collect(provider.send_batch([sms("one", uuid="1")]))
    smsc.stop()
    smsc.start()
    outcomes, failure = collect(provider.send_batch([sms("two", uuid="2")]))
    assert failure is None and isinstance(outcomes["2"], Accepted)


def test_a_centre_that_fails_mid_batch_leaves_what_it_answered_handed_over_and_the_rest_not(smsc, provider):
    smsc.cut(after=3)
    batch = [sms(f"message {i}", to=f"+2010{i:08d}", uuid=str(i)) for i in range(6)]
    outcomes, failure = collect(provider.send_batch(batch))
    assert set(outcomes) == {"0", "1", "2"}
    assert isinstance(failure, TransientFailure) and "lost" in str(failure)
    outcomes, failure = collect(provider.send_batch(batch[3:]))  # the dispatcher's retry binds again
    assert failure is None and set(outcomes) == {"3", "4", "5"}
    assert sorted(m.text for m in smsc.messages) == [m.body for m in batch]
    assert set(smsc.accepted.values()) == {1}


def test_answers_that_never_come_are_not_counted_as_handed_over(smsc):
    provider = make_provider(smsc, timeout=0.5, window=10)
    smsc.hold(after=3)
    batch = [sms(f"message {i}", to=f"+2010{i:08d}", uuid=str(i)) for i in range(6)]
    outcomes, failure = collect(provider.send_batch(batch))
    assert set(outcomes) == {"0", "1", "2"}
    assert isinstance(failure, TransientFailure) and "did not answer" in str(failure)
    smsc.wait_until(lambda s: s.held == 0)  # the provider gave the session up; the held ones went with it
    provider.close()
    smsc.release()
    assert sorted(m.text for m in smsc.messages) == ["message 0", "message 1", "message 2"]
    provider = make_provider(smsc)
    try:
        outcomes, failure = collect(provider.send_batch(batch[3:]))  # sent again: now taken, once each
    finally:
        provider.close()
    assert failure is None and len(outcomes) == 3
    assert set(smsc.accepted.values()) == {1}


def test_held_answers_released_after_close_are_not_counted(smsc, provider):
    smsc.hold()
    provider.timeout = 0.3
    outcomes, failure = collect(provider.send_batch([sms("held")]))
    assert outcomes == {} and failure is not None
    provider.close()
    smsc.release()
    assert smsc.messages == []


# The simulator on its own


def test_the_simulator_joins_parts_with_a_16_bit_reference_and_nacks_unknown_commands(smsc):
    client = Client("127.0.0.1", smsc.port, allow_unknown_opt_params=True)
    client.connect()
    try:
        client.bind_transmitter(system_id="bawaba", password="secret")
        for number, text in ((2, "world"), (1, "hello ")):
            udh = bytes((6, 8, 4, 0x12, 0x34, 2, number))
            client.send_message(
                source_addr="Bawaba",
                source_addr_ton=5,
                destination_addr="201012345678",
                dest_addr_ton=1,
                esm_class=0x40,
                data_coding=0,
                short_message=udh + gsm_encode(text),
            )
            assert client.read_pdu().status == 0
        client._socket.sendall(bytes.fromhex("00000010000001030000000000000077"))  # data_sm, bodiless
        nack = client.read_pdu()
        assert (nack.command, nack.status, nack.sequence) == (
            "generic_nack",
            consts.SMPP_ESME_RINVCMDID,
            0x77,
        )
        client.unbind()
    finally:
        client.disconnect()
    [message] = smsc.messages
    assert (message.text, message.segments, message.destination) == ("hello world", 2, PHONE)


def test_the_simulator_refuses_a_submit_before_a_bind(smsc):
    with socket.create_connection(("127.0.0.1", smsc.port), timeout=5) as raw:
        raw.sendall(bytes.fromhex("0000001100000004000000000000000100"))
        answer = raw.recv(16)
    assert answer[4:8] == bytes.fromhex("80000004")
    assert int.from_bytes(answer[8:12]) == consts.SMPP_ESME_RINVBNDSTS


def test_bawaba_smsc_serve_runs_the_simulator_until_interrupted():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bawaba.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bawaba.manage", "smsc", "serve", "--port", "0"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert "listening on 127.0.0.1:" in first, first
        port = int(first.split("127.0.0.1:")[1].split()[0])
        provider = SmppProvider("127.0.0.1", port, "anyone", "", "Bawaba", 5)
        try:
            outcomes, failure = collect(provider.send_batch([sms("by hand")]))
        finally:
            provider.close()
        assert failure is None and isinstance(outcomes["m1"], Accepted)
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=20)
        assert "stopped after 1 submit_sm" in rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
