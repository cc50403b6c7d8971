"""/api/v1/notifications: the SMS gateway's signed delivery callbacks.

A server calls this, not a browser: there is no session and no CSRF token, only the signature over the
timestamp and the raw body (see notifications/providers/https_gateway for the protocol), checked before the
body is read. Without a configured secret every callback is refused: an unsigned receipt could mark any
message delivered.
"""

import logging
import time
from typing import Annotated, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Router, Schema, Status
from pydantic import AwareDatetime, StringConstraints, ValidationError

from bawaba.notifications import services
from bawaba.notifications.providers import Receipt
from bawaba.notifications.providers.https_gateway.signatures import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    signature_check,
)

from .schemas import Error

router = Router(tags=["notifications"])
logger = logging.getLogger("bawaba.api.notifications")

PROVIDER = "https-gateway"


class GatewayCallback(Schema):
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    status: Literal["delivered", "failed"]
    error: str = ""
    at: AwareDatetime | None = None


class CallbackAnswer(Schema):
    ok: bool
    matched: bool


CALLBACK_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["id", "status"],
                "properties": {
                    "id": {
                        "type": "string",
                        "description": "The gateway's id for the message, as it answered.",
                    },
                    "status": {"type": "string", "enum": ["delivered", "failed"]},
                    "error": {"type": "string", "description": "Why it failed, if it did."},
                    "at": {
                        "type": "string",
                        "format": "date-time",
                        "description": "ISO 8601, with its zone.",
                    },
                },
            }
        }
    },
}
SIGNATURE_PARAMETERS = [
    {"name": TIMESTAMP_HEADER, "in": "header", "required": True, "schema": {"type": "string"}},
    {
        "name": SIGNATURE_HEADER,
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": 'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the callback secret>',
    },
]


@router.post(
    "/gateway-callback",
    response={200: CallbackAnswer, 400: Error, 401: Error},
    auth=None,
    summary="The SMS gateway reports a delivery",
    openapi_extra={"requestBody": CALLBACK_BODY, "parameters": SIGNATURE_PARAMETERS},
)
@csrf_exempt
def gateway_callback(request):
    secret = settings.BAWABA_NOTIFICATION_OPTIONS.get(PROVIDER, {}).get("callback_secret", "")
    try:
        signature_check(
            secret=secret,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            body=request.body,
            now=time.time(),
        )
    except SignatureError as problem:
        logger.warning("SMS gateway callback refused: %s", problem)
        return Status(401, {"detail": str(problem)})
    try:
        callback = GatewayCallback.model_validate_json(request.body)
    except ValidationError as invalid:
        return Status(400, {"detail": problems_name(invalid)})
    matched = services.receipt_record(
        provider=PROVIDER,
        receipt=Receipt(
            reference=callback.id,
            delivered=callback.status == "delivered",
            at=callback.at,
            error=callback.error,
        ),
    )
    return {"ok": True, "matched": matched}


def problems_name(invalid: ValidationError) -> str:
    problems = []
    for problem in invalid.errors(include_url=False):
        if problem["type"] == "json_invalid":
            return _("The body is not valid JSON.")
        where = ".".join(str(part) for part in problem["loc"]) or _("the body")
        problems.append(f"'{where}': {problem['msg']}")
    return _("The callback is not as expected: %(problems)s") % {"problems": "; ".join(problems)}
