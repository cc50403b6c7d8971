"""Middleware the benchmark adds in front of the production stack (bench/settings.py only).

ServerTiming is outermost, so its figure is the time Django spends on a request from the first middleware to
the response, everything but gunicorn's reading and writing of the socket.
"""

import time


class ServerTiming:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.3f}"
        return response
