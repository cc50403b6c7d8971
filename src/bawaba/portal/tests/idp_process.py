"""Runs the demo identity provider as its own process for a test, the way `make run` does."""

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def identity_provider(*, redirect_uris: list[str], secret: str = "test-secret", profile: str = "national-id"):
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BAWABA_IDP_ISSUER": issuer,
        "BAWABA_IDP_CLIENTS": json.dumps(
            {"bawaba-portal": {"secret": secret, "redirect_uris": redirect_uris}}
        ),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bawaba.manage", "idp", "serve", "--port", str(port), "--profile", profile],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        else:
            raise RuntimeError("the identity provider did not start")
        yield issuer
    finally:
        process.terminate()
        process.wait(10)


def provider_settings(issuer: str, secret: str = "test-secret", key: str = "national-id") -> dict:
    """BAWABA_OIDC_PROVIDERS naming one provider, as the base settings configure it, at this issuer."""
    from django.conf import settings

    base = settings.BAWABA_OIDC_PROVIDERS[key]
    return {key: {**base, "issuer": issuer, "client_id": "bawaba-portal", "client_secret": secret}}
