"""Messages that carry secrets (sign-in codes) are sealed at rest and wiped once handed to the provider."""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    key = hashlib.sha256(f"bawaba-message-seal:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> bytes:
    return _fernet().encrypt(text.encode())


def unseal(token: bytes) -> str:
    return _fernet().decrypt(bytes(token)).decode()
