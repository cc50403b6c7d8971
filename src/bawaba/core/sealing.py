"""Secrets kept at rest (a message's code, an authenticator's key) are sealed with a key derived per purpose."""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet(purpose: str) -> Fernet:
    key = hashlib.sha256(f"bawaba-seal:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str, *, purpose: str) -> bytes:
    return _fernet(purpose).encrypt(text.encode())


def unseal(token: bytes, *, purpose: str) -> str:
    return _fernet(purpose).decrypt(bytes(token)).decode()
