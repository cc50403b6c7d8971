"""Certificate sign-in refuses a forged certificate, a revoked one, a stale revocation list, another challenge."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from bawaba.accounts.certificates import CertificateProblem, CertificateRefused, verify_signed_challenge
from bawaba.demo.pki import authority_create, citizen_certificate, pem, revocation_list

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CHALLENGE = b"bawaba-sign-in:3f9c2a:2026-11-23T12:00:00Z"


@pytest.fixture(scope="module")
def ca():
    return authority_create(now=NOW - timedelta(days=30))


@pytest.fixture(scope="module")
def amina(ca):
    return citizen_certificate(
        ca, national_id="29103090104240", name="Amina Mahmoud Ali", now=NOW - timedelta(days=1)
    )


def sign(key, data=CHALLENGE) -> str:
    return base64.b64encode(key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def verify(ca, certificate, signature, *, crls=None, roots=None, now=NOW, challenge=CHALLENGE):
    crls = [revocation_list(ca, revoked_serials=[], now=NOW)] if crls is None else crls
    return verify_signed_challenge(
        challenge=challenge,
        signature_b64=signature,
        chain_pem=pem(certificate),
        roots=roots or [ca.certificate],
        crls=crls,
        now=now,
    )


def refused(*args, **kwargs) -> CertificateProblem:
    with pytest.raises(CertificateRefused) as caught:
        verify(*args, **kwargs)
    return caught.value.problem


def test_a_signature_by_a_national_ca_certificate_names_the_citizen(ca, amina):
    key, certificate = amina
    signer = verify(ca, certificate, sign(key))
    assert signer.national_id == "29103090104240" and signer.name == "Amina Mahmoud Ali"


def test_a_signature_over_another_challenge_is_refused(ca, amina):
    key, certificate = amina
    assert refused(ca, certificate, sign(key, b"another challenge")) == CertificateProblem.BAD_SIGNATURE


def test_a_certificate_from_a_forged_ca_is_refused(ca, amina):
    forger = authority_create(now=NOW - timedelta(days=30))  # same name, other key
    key, forged = citizen_certificate(
        forger, national_id="29103090104240", name="Amina", now=NOW - timedelta(days=1)
    )
    assert refused(ca, forged, sign(key)) == CertificateProblem.UNTRUSTED


def test_an_expired_certificate_is_refused(ca, amina):
    key, certificate = amina
    assert refused(ca, certificate, sign(key), now=NOW + timedelta(days=800)) == CertificateProblem.UNTRUSTED


def test_a_revoked_certificate_is_refused(ca, amina):
    key, certificate = amina
    crl = revocation_list(ca, revoked_serials=[certificate.serial_number], now=NOW)
    assert refused(ca, certificate, sign(key), crls=[crl]) == CertificateProblem.REVOKED


def test_no_current_revocation_list_means_no_sign_in(ca, amina):
    key, certificate = amina
    stale = revocation_list(ca, revoked_serials=[], now=NOW - timedelta(days=60), days=30)
    forger = authority_create(now=NOW)
    forged_crl = revocation_list(forger, revoked_serials=[], now=NOW)  # claims the same issuer name
    for crls in ([], [stale], [forged_crl]):
        assert refused(ca, certificate, sign(key), crls=crls) == CertificateProblem.REVOCATION_UNKNOWN


@pytest.mark.parametrize("chain,signature", [(b"not a certificate", "AAAA"), (None, "%%%not base64")])
def test_malformed_input_is_refused(ca, amina, chain, signature):
    _, certificate = amina
    with pytest.raises(CertificateRefused) as caught:
        verify_signed_challenge(
            challenge=CHALLENGE,
            signature_b64=signature,
            chain_pem=chain or pem(certificate),
            roots=[ca.certificate],
            crls=[revocation_list(ca, revoked_serials=[], now=NOW)],
            now=NOW,
        )
    assert caught.value.problem == CertificateProblem.MALFORMED


def test_the_ca_itself_cannot_sign_in_as_a_person(ca):
    signature = base64.b64encode(ca.key.sign(CHALLENGE, ec.ECDSA(hashes.SHA256()))).decode()
    assert refused(ca, ca.certificate, signature) == CertificateProblem.UNTRUSTED
