"""/api/v1/payments: the card gateway's signed webhooks.

A server calls this, not a browser: no session, no CSRF token, only the gateway's signature over the timestamp
and the raw body, checked by the gateway's adapter before anything is read. Each event is kept once; a repeat
is answered 200 too, so the gateway stops sending it.
"""

import logging

from django.views.decorators.csrf import csrf_exempt
from ninja import Router, Schema, Status

from bawaba.payments.gateways import GatewayRefused
from bawaba.payments.services import PaymentRefused, webhook_receive

from .schemas import Error

router = Router(tags=["payments"])
logger = logging.getLogger("bawaba.api.payments")


class WebhookAnswer(Schema):
    ok: bool
    new: bool


@router.post(
    "/webhook",
    response={200: WebhookAnswer, 400: Error, 401: Error},
    auth=None,
    summary="The card gateway reports a payment's status",
    description="Signed as the gateway in use defines it (see src/bawaba/paygw/PROTOCOL.md for the sandbox's).",
)
@csrf_exempt
def gateway_webhook(request):
    try:
        new = webhook_receive(headers=request.headers, body=request.body)
    except GatewayRefused as refused:
        logger.warning("payment webhook refused: %s", refused)
        return Status(401, {"detail": str(refused)})
    except PaymentRefused as refused:
        return Status(400, {"detail": refused.problem})
    return {"ok": True, "new": new}
