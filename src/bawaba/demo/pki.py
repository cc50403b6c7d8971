"""The demo national certification authority: a root, citizens' signing certificates and a revocation list."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "EG"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bawaba demo national CA"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Bawaba Demo National Root CA"),
    ]
)


@dataclass
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def authority_create(*, now: datetime | None = None, years: int = 10) -> Authority:
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(ROOT_NAME)
        .issuer_name(ROOT_NAME)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, certificate)


def citizen_certificate(
    authority: Authority,
    *,
    national_id: str,
    name: str,
    now: datetime | None = None,
    days: int = 730,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
) -> tuple[ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, x509.Certificate]:
    """A signing certificate for a citizen; for `key` (RSA, or another curve, as some national CAs issue),
    or else a new P-256 key."""
    now = now or datetime.now(UTC)
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EG"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, national_id),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(authority.key, hashes.SHA256())
    )
    return key, certificate


def revocation_list(
    authority: Authority, *, revoked_serials: list[int], now: datetime | None = None, days: int = 30
) -> x509.CertificateRevocationList:
    now = now or datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.certificate.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=days))
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - timedelta(minutes=1))
            .build()
        )
    return builder.sign(authority.key, hashes.SHA256())


def pkcs12_bytes(
    key, certificate: x509.Certificate, authority: Authority, *, password: str, name: str
) -> bytes:
    # Named rather than "best available": browsers open these files with node-forge, which reads PBES2 with
    # AES-CBC and PBKDF2 (and the legacy 3DES/RC2 schemes), so a future default must not slip past it.
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, certificate, [authority.certificate], encryption
    )


def pem(certificate_or_crl) -> bytes:
    return certificate_or_crl.public_bytes(serialization.Encoding.PEM)


def write_demo_pki(
    directory: Path, citizens: list[tuple[str, str]], *, password: str, revoked: list[str]
) -> Authority:
    """A root, a PKCS#12 file per citizen (national_id, name), and a CRL revoking the national IDs in `revoked`.

    Returns the authority, which can issue more certificates under the same root (not kept on disk)."""
    directory.mkdir(parents=True, exist_ok=True)
    authority = authority_create()
    revoked_serials = []
    for national_id, name in citizens:
        key, certificate = citizen_certificate(authority, national_id=national_id, name=name)
        (directory / f"{national_id}.p12").write_bytes(
            pkcs12_bytes(key, certificate, authority, password=password, name=name)
        )
        (directory / f"{national_id}.pem").write_bytes(pem(certificate))
        if national_id in revoked:
            revoked_serials.append(certificate.serial_number)
    (directory / "root.pem").write_bytes(pem(authority.certificate))
    (directory / "national-ca.crl.pem").write_bytes(
        pem(revocation_list(authority, revoked_serials=revoked_serials))
    )
    return authority
