"""The worker's sending loops: an urgent and a normal lane per channel, each with its own provider connection."""

import logging
import threading
from functools import partial

from django.conf import settings
from django.db import close_old_connections

from bawaba.core.loops import loop_register

from .dispatch import Lane, dispatch
from .providers import TransientFailure, provider_for
from .services import receipts_apply

__all__ = ["lane_run", "lanes_register"]

logger = logging.getLogger(__name__)

# How long an idle lane waits before looking again: a code should be on its way within a fraction of a second.
IDLE_SECONDS = {True: 0.1, False: 0.5}
DOWN_SECONDS_MAX = 30


def lane_run(lane: Lane, stopped: threading.Event) -> None:
    provider = None
    down = 0.0
    try:
        while not stopped.is_set():
            close_old_connections()  # this thread's connection may have been dropped while it waited
            try:
                provider = provider or provider_for(lane.channel)
                claimed = dispatch(lane, provider)
                if not claimed:
                    receipts_apply(provider.name, provider.receipts())
                down = 0.0
            except TransientFailure as failure:
                # The provider is unreachable: its messages wait in the queue, none counted as an attempt.
                down = min(max(down * 2, 1.0), DOWN_SECONDS_MAX)
                logger.warning("%s: %s; trying again in %.0f s", lane, failure, down)
                stopped.wait(down)
                continue
            if not claimed:
                stopped.wait(IDLE_SECONDS[bool(lane.urgent)])
    finally:
        if provider is not None:
            provider.close()


def lanes_register() -> None:
    for channel in settings.BAWABA_NOTIFICATION_PROVIDERS:
        for urgent in (True, False):
            name = f"notifications.{channel}.{'urgent' if urgent else 'normal'}"
            loop_register(name, partial(lane_run, Lane(channel, urgent)))
