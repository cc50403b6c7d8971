"""Passkeys against py_webauthn for real: a software device signs with real keys, and every refusal is tried."""

import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from bawaba.accounts.assurance import Level, reached
from bawaba.accounts.models import Passkey, User
from bawaba.accounts.passkeys import (
    CEREMONY_SECONDS,
    FAILURES,
    MAX_PASSKEYS,
    PasskeyProblem,
    PasskeyRefused,
    has_passkeys,
    passkey_list,
    passkey_register,
    passkey_registration_options,
    passkey_remove,
    passkey_sign_in,
    passkey_sign_in_options,
    passkey_step_up,
    passkey_step_up_options,
)
from bawaba.accounts.selectors import security_log
from bawaba.audit.models import AuditEntry
from bawaba.audit.services import audit_verify
from bawaba.testing.passkey_device import SoftwarePasskeyDevice

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.7"


@pytest.fixture
def citizen():
    return User.objects.create_user(
        "citizen-29103090104240",
        password="Cedar-tree-2026",
        national_id="29103090104240",
        first_name="Amina",
        mobile="+201012345678",
        mobile_verified_at=timezone.now(),
    )


@pytest.fixture
def other_citizen():
    return User.objects.create_user("citizen-28801012100314", national_id="28801012100314")


@pytest.fixture
def device():
    return SoftwarePasskeyDevice()


def add_passkey(user: User, device: SoftwarePasskeyDevice, name: str = "My phone") -> Passkey:
    session: dict = {}
    options = passkey_registration_options(session=session, user=user, name=name)
    return passkey_register(session=session, user=user, response=device.create(options), address=ADDRESS)


def refused(problem: PasskeyProblem, call, *args, **kwargs):
    with pytest.raises(PasskeyRefused) as caught:
        call(*args, **kwargs)
    assert caught.value.problem == problem, caught.value.problem
    return caught.value


def sign_in_answer(device: SoftwarePasskeyDevice, **bend) -> tuple[dict, dict]:
    session: dict = {}
    return session, device.get(passkey_sign_in_options(session=session), **bend)


# Adding a passkey.


def test_registration_options_ask_for_a_discoverable_verified_passkey_for_this_site(citizen, device):
    first = add_passkey(citizen, device)
    session: dict = {}
    options = passkey_registration_options(session=session, user=citizen, name="Laptop")
    assert options["rp"] == {"id": "localhost", "name": "Bawaba"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["user"]["name"] == "29103090104240" and options["user"]["displayName"] == "Amina"
    # The account is named by a random handle, never by the national ID number.
    assert base64url_to_bytes(options["user"]["id"]) == citizen.uuid.bytes
    assert [c["id"] for c in options["excludeCredentials"]] == [first.credential_id]
    assert len(base64url_to_bytes(options["challenge"])) >= 16


def test_a_passkey_is_added_with_its_name_public_key_and_transports_and_audited(citizen, device):
    passkey = add_passkey(citizen, device, name="  Amina's phone  ")
    assert passkey.name == "Amina's phone"
    assert bytes_to_base64url(next(iter(device.credentials))) == passkey.credential_id
    assert bytes(passkey.public_key)[:1] == b"\xa5"  # a CBOR map of five entries: the COSE key
    assert passkey.transports == ["internal", "hybrid"]
    assert passkey.aaguid == "00000000-0000-0000-0000-000000000000"
    assert has_passkeys(citizen) and passkey_list(user=citizen) == [passkey]
    entry = AuditEntry.objects.get(action="accounts.passkey.added")
    assert entry.subject_id == str(citizen.uuid) and entry.data["name"] == "Amina's phone"
    assert audit_verify() == (True, None)


@pytest.mark.parametrize(
    "bend,problem",
    [
        ({"origin": "https://evil.example"}, PasskeyProblem.INVALID),
        ({"rp_id": "evil.example"}, PasskeyProblem.INVALID),
        ({"challenge": bytes_to_base64url(b"a challenge of someone else's")}, PasskeyProblem.INVALID),
        ({"verified": False}, PasskeyProblem.NOT_VERIFIED),
    ],
)
def test_a_registration_not_made_for_this_site_and_challenge_or_unverified_is_refused(
    citizen, device, bend, problem
):
    session: dict = {}
    options = passkey_registration_options(session=session, user=citizen, name="Phone")
    answer = device.create(options, **bend)
    refused(problem, passkey_register, session=session, user=citizen, response=answer, address=ADDRESS)
    assert not Passkey.objects.exists()
    entry = AuditEntry.objects.get(action="accounts.passkey.refused")
    assert entry.data["problem"] == problem.value and entry.data["ceremony"] == "register"
    assert entry in security_log(user=citizen)


def test_a_registration_answer_works_once_and_not_after_the_challenge_expired(citizen, device):
    session: dict = {}
    options = passkey_registration_options(session=session, user=citizen, name="Phone")
    answer = device.create(options)
    later = time.time() + CEREMONY_SECONDS + 1
    refused(
        PasskeyProblem.EXPIRED,
        passkey_register,
        session=session,
        user=citizen,
        response=answer,
        address=ADDRESS,
        now=later,
    )
    # The expired challenge was spent too: the same answer is not accepted in time either.
    refused(
        PasskeyProblem.EXPIRED,
        passkey_register,
        session=session,
        user=citizen,
        response=answer,
        address=ADDRESS,
    )

    options = passkey_registration_options(session=session, user=citizen, name="Phone")
    answer = device.create(options)
    passkey_register(session=session, user=citizen, response=answer, address=ADDRESS)
    refused(
        PasskeyProblem.EXPIRED,
        passkey_register,
        session=session,
        user=citizen,
        response=answer,
        address=ADDRESS,
    )
    assert Passkey.objects.count() == 1


def test_a_registration_started_for_one_account_cannot_be_finished_for_another(
    citizen, other_citizen, device
):
    session: dict = {}
    answer = device.create(passkey_registration_options(session=session, user=citizen, name="Phone"))
    refused(
        PasskeyProblem.EXPIRED,
        passkey_register,
        session=session,
        user=other_citizen,
        response=answer,
        address=ADDRESS,
    )
    assert not Passkey.objects.exists()


def test_the_same_passkey_cannot_be_added_twice(citizen, other_citizen, device):
    first = add_passkey(citizen, device)
    session: dict = {}
    options = passkey_registration_options(session=session, user=other_citizen, name="Phone")
    again = device.create(options, again=base64url_to_bytes(first.credential_id))
    refused(
        PasskeyProblem.DUPLICATE,
        passkey_register,
        session=session,
        user=other_citizen,
        response=again,
        address=ADDRESS,
    )
    assert Passkey.objects.get().user == citizen


def test_an_account_holds_a_bounded_number_of_passkeys(citizen):
    for n in range(MAX_PASSKEYS):
        add_passkey(citizen, SoftwarePasskeyDevice(), name=f"Key {n}")
    refused(
        PasskeyProblem.TOO_MANY_PASSKEYS,
        passkey_registration_options,
        session={},
        user=citizen,
        name="One more",
    )


def test_only_citizen_accounts_get_passkeys():
    staff = User.objects.create_user("officer-1", password="Cedar-tree-2026")
    refused(PasskeyProblem.NOT_A_CITIZEN, passkey_registration_options, session={}, user=staff, name="Phone")


def test_malformed_answers_are_refused_not_crashed_on(citizen, device):
    add_passkey(citizen, device)
    for garbage in ("not json", {}, {"id": "x", "rawId": "x", "type": "public-key", "response": {}}, [1, 2]):
        session: dict = {}
        passkey_sign_in_options(session=session)
        refused(
            PasskeyProblem.INVALID,
            passkey_sign_in,
            session=session,
            response=garbage,
            address=f"10.0.0.{len(str(garbage))}",
        )
        session = {}
        passkey_registration_options(session=session, user=citizen, name="x")
        refused(
            PasskeyProblem.INVALID,
            passkey_register,
            session=session,
            user=citizen,
            response=garbage,
            address="10.1.0.1",
        )
    answer = device.get({"challenge": bytes_to_base64url(b"x" * 32)})
    answer["response"]["authenticatorData"] = "!!!"
    session = {}
    passkey_sign_in_options(session=session)
    refused(PasskeyProblem.INVALID, passkey_sign_in, session=session, response=answer, address="10.2.0.1")


# Signing in.


def test_sign_in_with_no_account_named_finds_the_citizen_and_counts_as_substantial(citizen, device):
    passkey = add_passkey(citizen, device)
    session: dict = {}
    options = passkey_sign_in_options(session=session)
    assert options["userVerification"] == "required" and options["allowCredentials"] == []
    assert options["rpId"] == "localhost"
    used = passkey_sign_in(session=session, response=device.get(options), address=ADDRESS)
    assert used == passkey and used.user == citizen
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert reached(["passkey"]) == Level.SUBSTANTIAL
    entry = AuditEntry.objects.get(action="accounts.passkey.used")
    assert entry.subject_id == str(citizen.uuid) and entry.data["for"] == "sign-in"
    assert "bawaba_passkey_sign-in" not in session


def test_a_device_that_keeps_no_counter_signs_in_again_and_again(citizen):
    device = SoftwarePasskeyDevice(counts=False)
    add_passkey(citizen, device)
    for _ in range(3):
        session, answer = sign_in_answer(device)
        assert passkey_sign_in(session=session, response=answer, address=ADDRESS).sign_count == 0


def test_an_unknown_passkey_is_refused_and_logged(citizen, device):
    add_passkey(citizen, device)
    stranger = SoftwarePasskeyDevice()
    stranger.create(
        {"rp": {"id": "localhost"}, "user": {"id": bytes_to_base64url(b"someone")}, "challenge": "AA"}
    )
    session, answer = sign_in_answer(stranger)
    refused(PasskeyProblem.UNKNOWN, passkey_sign_in, session=session, response=answer, address=ADDRESS)
    entry = AuditEntry.objects.get(action="accounts.passkey.refused")
    assert entry.subject_type == "passkey" and entry.actor == f"address:{ADDRESS}"
    assert entry.data["problem"] == "unknown"


def test_a_removed_passkey_no_longer_signs_in_and_the_owner_sees_the_attempt(citizen, device):
    passkey = add_passkey(citizen, device)
    passkey_remove(user=citizen, passkey_uuid=passkey.uuid)
    assert not has_passkeys(citizen) and passkey_list(user=citizen) == []
    session, answer = sign_in_answer(device)
    refused(PasskeyProblem.REMOVED, passkey_sign_in, session=session, response=answer, address=ADDRESS)
    actions = [entry.action for entry in security_log(user=citizen)]
    assert actions[:3] == ["accounts.passkey.refused", "accounts.passkey.removed", "accounts.passkey.added"]


@pytest.mark.parametrize(
    "bend,problem",
    [
        ({"origin": "https://bawaba.evil.example"}, PasskeyProblem.INVALID),
        ({"origin": "http://localhost:8001"}, PasskeyProblem.INVALID),
        ({"rp_id": "evil.example"}, PasskeyProblem.INVALID),
        ({"signing_key": ec.generate_private_key(ec.SECP256R1())}, PasskeyProblem.INVALID),
        ({"user_handle": b"\x00" * 16}, PasskeyProblem.INVALID),
        ({"user_handle": None}, PasskeyProblem.INVALID),
        ({"verified": False}, PasskeyProblem.NOT_VERIFIED),
    ],
    ids=[
        "wrong-origin",
        "wrong-port",
        "wrong-rp",
        "other-key",
        "other-user-handle",
        "no-user-handle",
        "no-uv",
    ],
)
def test_an_answer_not_signed_by_this_key_for_this_site_and_this_citizen_is_refused(
    citizen, device, bend, problem
):
    passkey = add_passkey(citizen, device)
    session, answer = sign_in_answer(device, **bend)
    refused(problem, passkey_sign_in, session=session, response=answer, address=ADDRESS)
    passkey.refresh_from_db()
    assert passkey.last_used_at is None and passkey.sign_count == 0
    entry = AuditEntry.objects.filter(action="accounts.passkey.refused").get()
    assert entry.subject_id == str(citizen.uuid) and entry.data["problem"] == problem.value


def test_an_answer_is_good_once_and_only_for_its_own_fresh_challenge(citizen, device):
    add_passkey(citizen, device)
    session, answer = sign_in_answer(device)
    passkey_sign_in(session=session, response=answer, address=ADDRESS)
    # Replayed: the challenge was spent by the first use.
    refused(PasskeyProblem.EXPIRED, passkey_sign_in, session=session, response=answer, address=ADDRESS)
    # Replayed against a new challenge: signed for the old one.
    passkey_sign_in_options(session=session)
    refused(PasskeyProblem.INVALID, passkey_sign_in, session=session, response=answer, address=ADDRESS)
    # Too late.
    session, answer = sign_in_answer(device)
    later = time.time() + CEREMONY_SECONDS + 1
    refused(
        PasskeyProblem.EXPIRED, passkey_sign_in, session=session, response=answer, address=ADDRESS, now=later
    )
    # Never asked for in this session.
    refused(
        PasskeyProblem.EXPIRED,
        passkey_sign_in,
        session={},
        response=device.get({"challenge": "AAAA"}),
        address=ADDRESS,
    )


@pytest.mark.parametrize("presented", [0, 4, 5])
def test_a_counter_that_does_not_go_up_means_a_copied_key_refused_and_audited(citizen, device, presented):
    passkey = add_passkey(citizen, device)
    for _ in range(5):
        session, answer = sign_in_answer(device)
        passkey_sign_in(session=session, response=answer, address=ADDRESS)
    session, answer = sign_in_answer(device, sign_count=presented)
    refused(PasskeyProblem.CLONED, passkey_sign_in, session=session, response=answer, address=ADDRESS)
    passkey.refresh_from_db()
    assert passkey.sign_count == 5
    entry = AuditEntry.objects.get(action="accounts.passkey.clone-suspected")
    assert entry.subject_id == str(citizen.uuid)
    assert entry.data["stored_count"] == 5 and entry.data["presented_count"] == presented
    assert entry in security_log(user=citizen)


def test_a_passkey_of_a_closed_account_does_not_sign_in(citizen, device):
    add_passkey(citizen, device)
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    session, answer = sign_in_answer(device)
    refused(PasskeyProblem.UNKNOWN, passkey_sign_in, session=session, response=answer, address=ADDRESS)


def test_failed_answers_from_one_address_are_limited(citizen, device):
    add_passkey(citizen, device)
    for _ in range(FAILURES.attempts):
        session, answer = sign_in_answer(device, origin="https://evil.example")
        refused(PasskeyProblem.INVALID, passkey_sign_in, session=session, response=answer, address=ADDRESS)
    session, answer = sign_in_answer(device)
    limited = refused(
        PasskeyProblem.TOO_MANY_FAILURES, passkey_sign_in, session=session, response=answer, address=ADDRESS
    )
    assert 0 < limited.retry_after <= FAILURES.window_seconds + 1
    session, answer = sign_in_answer(device)
    assert passkey_sign_in(session=session, response=answer, address="203.0.113.9").user == citizen


# Stepping up.


def test_step_up_names_the_citizens_own_passkeys_and_accepts_one(citizen, device):
    passkey = add_passkey(citizen, device)
    session: dict = {}
    options = passkey_step_up_options(session=session, user=citizen)
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.credential_id]
    assert options["userVerification"] == "required"
    assert (
        passkey_step_up(session=session, user=citizen, response=device.get(options), address=ADDRESS)
        == passkey
    )


def test_step_up_with_someone_elses_passkey_is_refused(citizen, other_citizen, device):
    add_passkey(citizen, device)
    theirs = SoftwarePasskeyDevice()
    add_passkey(other_citizen, theirs)
    session: dict = {}
    options = passkey_step_up_options(session=session, user=citizen)
    refused(
        PasskeyProblem.UNKNOWN,
        passkey_step_up,
        session=session,
        user=citizen,
        response=theirs.get(options),
        address=ADDRESS,
    )


def test_a_sign_in_challenge_does_not_serve_a_step_up(citizen, device):
    add_passkey(citizen, device)
    session: dict = {}
    options = passkey_sign_in_options(session=session)
    refused(
        PasskeyProblem.EXPIRED,
        passkey_step_up,
        session=session,
        user=citizen,
        response=device.get(options),
        address=ADDRESS,
    )


def test_step_up_is_not_offered_without_a_passkey(citizen):
    refused(PasskeyProblem.UNKNOWN, passkey_step_up_options, session={}, user=citizen)


# Removing.


def test_only_the_owner_removes_a_passkey(citizen, other_citizen, device):
    passkey = add_passkey(citizen, device)
    refused(PasskeyProblem.UNKNOWN, passkey_remove, user=other_citizen, passkey_uuid=passkey.uuid)
    assert has_passkeys(citizen)
    passkey_remove(user=citizen, passkey_uuid=passkey.uuid)
    refused(PasskeyProblem.UNKNOWN, passkey_remove, user=citizen, passkey_uuid=passkey.uuid)
    assert AuditEntry.objects.filter(action="accounts.passkey.removed").count() == 1


# Settings.


def test_production_binds_passkeys_to_its_host_and_refuses_plain_http_origins(tmp_path):
    from bawaba.core.tests.test_settings import GOOD, bawaba

    show = "from django.conf import settings as s; print(s.BAWABA_WEBAUTHN_RP_ID, s.BAWABA_WEBAUTHN_ORIGINS)"
    result = bawaba("shell", "-c", show, BAWABA_VAR_DIR=str(tmp_path), **GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "portal.gov.example ['https://portal.gov.example']"
    result = bawaba(
        "check", BAWABA_VAR_DIR=str(tmp_path), BAWABA_WEBAUTHN_ORIGINS="http://portal.gov.example", **GOOD
    )
    assert result.returncode != 0 and "BAWABA_WEBAUTHN_ORIGINS" in result.stderr
