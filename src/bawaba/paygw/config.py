"""The gateway's configuration, read from the environment so the web process and `bawaba paygw settle` agree.

Standard library only: `bawaba paygw settle` imports this without the gateway's Django settings.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Merchant:
    id: str
    secret: str
    webhook_url: str
    name: str


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None


def database_path() -> Path:
    if os.environ.get("BAWABA_PAYGW_DB"):
        return Path(os.environ["BAWABA_PAYGW_DB"])
    var_dir = Path(os.environ.get("BAWABA_VAR_DIR") or PROJECT_DIR / "var")
    return var_dir / "paygw" / "paygw.sqlite3"


# The demo merchant the platform is registered as; `make run` passes its own webhook address.
DEMO_MERCHANTS = {
    "bawaba": {
        "secret": "bawaba-paygw-demo-secret",
        "webhook_url": "http://127.0.0.1:8000/api/v1/payments/webhook",
        "name": "Bawaba",
    }
}


def merchants() -> dict[str, Merchant]:
    """BAWABA_PAYGW_MERCHANTS: {merchant_id: {"secret": ..., "webhook_url": ..., "name": ...}}."""
    raw = os.environ.get("BAWABA_PAYGW_MERCHANTS")
    try:
        data = json.loads(raw) if raw else DEMO_MERCHANTS
        return {
            merchant_id: Merchant(
                id=merchant_id,
                secret=entry["secret"],
                webhook_url=entry["webhook_url"],
                name=entry.get("name", merchant_id),
            )
            for merchant_id, entry in data.items()
        }
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(
            'BAWABA_PAYGW_MERCHANTS must be JSON: {"<id>": {"secret": ..., "webhook_url": ...}}'
            f" ({error!r})"
        ) from None


def public_url() -> str:
    """Where payers' browsers reach this gateway: the base of each payment's pay_url."""
    return os.environ.get("BAWABA_PAYGW_URL", "http://127.0.0.1:8200").rstrip("/")


@dataclass(frozen=True)
class WebhookPolicy:
    delay: float  # seconds between a status change and its first delivery
    duplicate_after: float  # seconds after the first copy that the duplicate is sent
    reorder_chance: float  # chance that a success is followed by a late copy of the event before it
    reorder_after: float  # seconds after the duplicate that the late older event is sent
    tries: int  # deliveries attempted before giving up on an event copy
    backoff: float  # seconds before the first retry; doubled each time


def webhook_policy() -> WebhookPolicy:
    return WebhookPolicy(
        delay=_number("BAWABA_PAYGW_WEBHOOK_DELAY", 2.0),
        duplicate_after=_number("BAWABA_PAYGW_WEBHOOK_DUPLICATE_AFTER", 1.0),
        reorder_chance=_number("BAWABA_PAYGW_WEBHOOK_REORDER_CHANCE", 0.5),
        reorder_after=_number("BAWABA_PAYGW_WEBHOOK_REORDER_AFTER", 1.0),
        tries=int(_number("BAWABA_PAYGW_WEBHOOK_TRIES", 5)),
        backoff=_number("BAWABA_PAYGW_WEBHOOK_BACKOFF", 2.0),
    )


def fee_basis_points() -> int:
    """The gateway's fee on each settled payment, in hundredths of a percent (150 = 1.5 %)."""
    return int(_number("BAWABA_PAYGW_FEE_BASIS_POINTS", 150))
