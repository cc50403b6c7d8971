"""Work a `bawaba worker` does continuously beside its task queue (sending messages, for one).

An app registers a loop in its AppConfig.ready(); each worker process runs every registered loop in a thread
of its own until it stops. A loop must share its work safely with the same loop in other workers (claim rows,
skip those held) and must return soon after `stopped` is set.
"""

import threading
from collections.abc import Callable

__all__ = ["Loop", "loop_register", "loops"]

type Loop = Callable[[threading.Event], None]

_registry: dict[str, Loop] = {}


def loop_register(name: str, run: Loop) -> None:
    _registry[name] = run


def loops() -> dict[str, Loop]:
    return dict(_registry)
