"""Digital-signature sign-in: a certificate from the national CA proves who signed a challenge.

Pure of the database and of HTTP: given the trusted roots, the revocation lists, a challenge, a certificate
chain and a signature, it says who signed, or why not.
"""

import base64
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)


class CertificateProblem(StrEnum):
    MALFORMED = "malformed"
    UNTRUSTED = "untrusted"  # no chain to a configured root, or outside its validity dates
    REVOKED = "revoked"
    REVOCATION_UNKNOWN = "revocation-unknown"  # no current, validly signed revocation list from the issuer
    BAD_SIGNATURE = "bad-signature"  # not a signature of this challenge by this certificate's key
    NO_IDENTITY = "no-identity"


class CertificateRefused(Exception):
    def __init__(self, problem: CertificateProblem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Signer:
    national_id: str
    name: str
    serial: int


def load_pem_certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise CertificateRefused(CertificateProblem.MALFORMED) from exc


def _signing_allowed(policy, certificate, key_usage: x509.KeyUsage | None) -> None:
    if key_usage is None or not key_usage.digital_signature:
        raise ValueError("the certificate's key may not sign")


def _citizen_policy() -> ExtensionPolicy:
    """National eID certificates name their holder in the subject, not in a subject alternative name (which
    the web's policy demands); their key must be allowed to sign."""
    return (
        ExtensionPolicy.permit_all()
        .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _signing_allowed)
        .require_present(x509.BasicConstraints, Criticality.AGNOSTIC, _not_a_ca)
    )


def _not_a_ca(policy, certificate, constraints: x509.BasicConstraints | None) -> None:
    if constraints is not None and constraints.ca:
        raise ValueError("a certification authority cannot sign in as a person")


def _check_signature(certificate: x509.Certificate, challenge: bytes, signature: bytes) -> None:
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, challenge, ec.ECDSA(hashes.SHA256()))
        else:
            raise CertificateRefused(CertificateProblem.MALFORMED)
    except InvalidSignature as exc:
        raise CertificateRefused(CertificateProblem.BAD_SIGNATURE) from exc


def verify_signed_challenge(
    *,
    challenge: bytes,
    signature_b64: str,
    chain_pem: bytes,
    roots: list[x509.Certificate],
    crls: list[x509.CertificateRevocationList],
    now: datetime,
) -> Signer:
    """Who signed `challenge`: the chain must lead to a root, be in date, not be revoked, and the signature be
    the leaf key's over exactly this challenge."""
    chain = load_pem_certificates(chain_pem)
    if not chain:
        raise CertificateRefused(CertificateProblem.MALFORMED)
    leaf, intermediates = chain[0], chain[1:]
    try:
        signature = base64.b64decode(signature_b64.strip(), validate=True)
    except ValueError as exc:
        raise CertificateRefused(CertificateProblem.MALFORMED) from exc
    verifier = (
        PolicyBuilder()
        .store(Store(roots))
        .time(now)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_citizen_policy())
        .build_client_verifier()
    )
    try:
        verified = verifier.verify(leaf, intermediates)
    except VerificationError as exc:
        raise CertificateRefused(CertificateProblem.UNTRUSTED) from exc
    # Every certificate below the root is checked against its issuer's list; without a current one, refuse.
    for certificate, issuer in zip(verified.chain[:-1], verified.chain[1:], strict=True):
        crl = next(
            (
                c
                for c in crls
                if c.issuer == issuer.subject
                and c.is_signature_valid(issuer.public_key())
                and c.next_update_utc is not None
                and c.next_update_utc > now
            ),
            None,
        )
        if crl is None:
            raise CertificateRefused(CertificateProblem.REVOCATION_UNKNOWN)
        if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
            raise CertificateRefused(CertificateProblem.REVOKED)
    _check_signature(leaf, challenge, signature)
    serials = leaf.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not serials:
        raise CertificateRefused(CertificateProblem.NO_IDENTITY)
    return Signer(
        national_id=str(serials[0].value),
        name=str(names[0].value) if names else "",
        serial=leaf.serial_number,
    )
