"""The demo CA's PKCS#12 files: encrypted in a way browsers (node-forge) open, and the command-line signer opens."""

import base64
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command

from bawaba.demo.pki import authority_create, citizen_certificate, pkcs12_bytes

PBES2 = bytes.fromhex("06092a864886f70d01050d")
AES_256_CBC = bytes.fromhex("060960864801650304012a")
HMAC_WITH_SHA256 = bytes.fromhex("06082a864886f70d0209")
SHA256 = bytes.fromhex("0609608648016503040201")
TRIPLE_DES_PBE = bytes.fromhex("060a2a864886f70d010c0103")


@pytest.fixture
def file_with(tmp_path):
    def make(password: str):
        authority = authority_create()
        key, certificate = citizen_certificate(authority, national_id="29103090104240", name="Amina")
        path = tmp_path / "amina.p12"
        path.write_bytes(pkcs12_bytes(key, certificate, authority, password=password, name="Amina"))
        return path, certificate

    return make


def test_demo_files_use_aes_256_and_pbkdf2_with_sha256_and_a_sha256_mac(file_with):
    path, _ = file_with("bawaba-demo")
    data = path.read_bytes()
    assert data.count(PBES2) == 2  # the certificates and the key, each
    assert data.count(AES_256_CBC) == 2 and data.count(HMAC_WITH_SHA256) == 2
    assert SHA256 in data  # the MAC
    assert TRIPLE_DES_PBE not in data


@pytest.mark.parametrize("password", ["bawaba-demo", "كلمة-سر-١٢٣"])
def test_the_command_line_signer_opens_them(file_with, password):
    path, certificate = file_with(password)
    out = StringIO()
    call_command(
        "pki",
        "sign-challenge",
        "--p12",
        str(path),
        "--password",
        password,
        "--challenge",
        "hello",
        stdout=out,
    )
    chain, signature = out.getvalue().split("Signature: ")
    assert x509.load_pem_x509_certificates(chain.encode())[0] == certificate
    certificate.public_key().verify(base64.b64decode(signature), b"hello", ec.ECDSA(hashes.SHA256()))
