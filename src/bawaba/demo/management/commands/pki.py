"""`bawaba pki demo-ca` makes the demo national CA; `bawaba pki sign-challenge` signs a sign-in challenge.

The signer is what a citizen runs on their own computer with their PKCS#12 file: it prints the certificate
chain and the signature to paste into the portal's certificate sign-in page.
"""

import base64
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bawaba.demo.accounts import accounts
from bawaba.demo.pki import pem, write_demo_pki

DEMO_PASSWORD = "bawaba-demo"  # noqa: S105 (the published password of demo certificates)
REVOKED_DEMO = ("27001010200096", "Fatma El-Sayed Hussein (revoked)")


def demo_citizens() -> list[tuple[str, str]]:
    """(national ID, name) of everyone the demo CA certifies: the demo citizens, and one revoked holder."""
    return [*((a.national_id, a.name) for a in accounts() if a.national_id), REVOKED_DEMO]


class Command(BaseCommand):
    help = "Digital-signature certificates: the demo national CA, and a challenge signer."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ca = sub.add_parser(
            "demo-ca", help="Create the demo national CA and certificates for the demo citizens."
        )
        ca.add_argument("--dir", type=Path, default=None)
        ca.add_argument("--force", action="store_true", help="Replace an existing demo CA.")
        signer = sub.add_parser("sign-challenge", help="Sign a sign-in challenge with a PKCS#12 file.")
        signer.add_argument("--p12", type=Path, required=True)
        signer.add_argument("--password", required=True)
        signer.add_argument("--challenge", required=True)

    def handle(self, *args, action, **options):
        if action == "demo-ca":
            self.demo_ca(options["dir"] or Path(settings.BAWABA_PKI_ROOTS).parent, force=options["force"])
        else:
            self.sign(options["p12"], options["password"], options["challenge"])

    def demo_ca(self, directory: Path, *, force: bool) -> None:
        if (directory / "root.pem").exists() and not force:
            self.stdout.write(f"Demo national CA already in {directory}")
            return
        write_demo_pki(directory, demo_citizens(), password=DEMO_PASSWORD, revoked=[REVOKED_DEMO[0]])
        self.stdout.write(
            f"Demo national CA in {directory}: certificates <national id>.p12, password {DEMO_PASSWORD}"
        )

    def sign(self, p12: Path, password: str, challenge: str) -> None:
        try:
            key, certificate, extra = pkcs12.load_key_and_certificates(p12.read_bytes(), password.encode())
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot open {p12}: {exc}") from exc
        if isinstance(key, ec.EllipticCurvePrivateKey):
            signature = key.sign(challenge.encode(), ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPrivateKey):
            signature = key.sign(challenge.encode(), padding.PKCS1v15(), hashes.SHA256())
        else:
            raise CommandError("unsupported key type")
        chain = pem(certificate) + b"".join(pem(c) for c in extra or [])
        self.stdout.write(chain.decode(), ending="")
        self.stdout.write(f"Signature: {base64.b64encode(signature).decode()}")
