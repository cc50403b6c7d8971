"""A software passkey device for tests: real P-256 keys, real CBOR and real signatures.

It answers the options the platform hands out the way a phone or a security key would, so the platform's
checks run against py_webauthn for real. Every part of an answer can be bent (origin, RP ID, flags, counter,
signing key, user handle) to try each refusal.
"""

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def cose_key(public_key: ec.EllipticCurvePublicKey) -> bytes:
    numbers = public_key.public_numbers()
    return cbor2.dumps(
        {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
    )


@dataclass
class Credential:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    rp_id: str
    sign_count: int = 0


@dataclass
class SoftwarePasskeyDevice:
    origin: str = "http://localhost:8000"
    counts: bool = True  # some devices (synced passkeys) keep no counter and always say 0
    aaguid: bytes = bytes(16)
    credentials: dict[bytes, Credential] = field(default_factory=dict)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()

    def create(
        self,
        options: dict,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        verified: bool = True,
        challenge: str | None = None,
        again: bytes | None = None,
    ) -> dict:
        """Answer registration options (the JSON from the server) as navigator.credentials.create() would.

        `again` names a credential this device already made, to offer it a second time.
        """
        rp = rp_id or options["rp"]["id"]
        credential = self.credentials.get(again) or Credential(
            credential_id=secrets.token_bytes(32),
            key=ec.generate_private_key(ec.SECP256R1()),
            user_handle=base64url_to_bytes(options["user"]["id"]),
            rp_id=rp,
        )
        self.credentials[credential.credential_id] = credential
        attested = (
            self.aaguid
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + cose_key(credential.key.public_key())
        )
        flags = UP | AT | (UV if verified else 0)
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", 0) + attested
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        raw_id = bytes_to_base64url(credential.credential_id)
        return {
            "id": raw_id,
            "rawId": raw_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict,
        *,
        credential_id: bytes | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        verified: bool = True,
        sign_count: int | None = None,
        signing_key: ec.EllipticCurvePrivateKey | None = None,
        user_handle: bytes | bool | None = True,
        challenge: str | None = None,
    ) -> dict:
        """Answer authentication options as navigator.credentials.get() would, with the credential chosen."""
        credential = (
            self.credentials[credential_id] if credential_id else next(iter(self.credentials.values()))
        )
        if self.counts:
            credential.sign_count += 1
        count = credential.sign_count if sign_count is None else sign_count
        rp = rp_id or options.get("rpId") or credential.rp_id
        flags = UP | (UV if verified else 0)
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", count)
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        signature = (signing_key or credential.key).sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        handle = credential.user_handle if user_handle is True else user_handle
        raw_id = bytes_to_base64url(credential.credential_id)
        return {
            "id": raw_id,
            "rawId": raw_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": bytes_to_base64url(handle) if handle is not None else None,
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
