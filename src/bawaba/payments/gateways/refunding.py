"""What a gateway answers to a refund, in plain data: made, or refused for good (retrying cannot help)."""

from dataclasses import dataclass

__all__ = ["GatewayRefund", "RefundDeclined"]


@dataclass(frozen=True)
class GatewayRefund:
    refund_id: str
    payment_id: str
    amount: int
    currency: str
    status: str  # succeeded, or pending when the gateway settles it later


class RefundDeclined(Exception):
    """The gateway refused this refund (more than remains refundable, a payment it cannot refund…): sending it
    again would be refused again. `code` is the gateway's word for why."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
