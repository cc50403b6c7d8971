"""Who listens to which event. Apps register their handlers in their AppConfig.ready()."""

from collections import defaultdict
from collections.abc import Callable

Handler = Callable[[dict], None]

_subscribers: dict[str, dict[str, Handler]] = defaultdict(dict)


def subscribe(event_name: str, *, name: str | None = None) -> Callable[[Handler], Handler]:
    """Decorator: call the handler with the event's payload for every event of that name."""

    def register(handler: Handler) -> Handler:
        key = name or f"{handler.__module__}.{handler.__qualname__}"
        _subscribers[event_name][key] = handler
        return handler

    return register


def subscribers_of(event_name: str) -> dict[str, Handler]:
    return dict(_subscribers.get(event_name, {}))
