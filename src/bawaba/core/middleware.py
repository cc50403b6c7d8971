"""The visitor's address behind the load balancer, so per-address limits and records name the visitor."""

import contextlib
import ipaddress

from django.conf import settings


class ClientAddressMiddleware:
    """Behind N trusted proxies, the visitor is the Nth address from the right of X-Forwarded-For.

    Each proxy appends the address it received the request from; anything further left was written by the
    visitor and is not believed. With no trusted proxy (BAWABA_TRUSTED_PROXIES = 0) the header is ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = settings.BAWABA_TRUSTED_PROXIES

    def __call__(self, request):
        if self.proxies:
            hops = [
                hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()
            ]
            if len(hops) >= self.proxies:
                # Not an address: keep the connection's own.
                with contextlib.suppress(ValueError):
                    request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(hops[-self.proxies]))
        return self.get_response(request)
