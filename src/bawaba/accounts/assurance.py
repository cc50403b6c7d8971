"""Sign-in assurance levels (after eIDAS): how sure the platform is of who is signed in."""

from enum import IntEnum


class Level(IntEnum):
    NONE = 0
    LOW = 1
    SUBSTANTIAL = 2
    HIGH = 3

    @classmethod
    def named(cls, name: str) -> "Level":
        return cls[name.upper()]


# What each way in proves. OIDC providers declare their own level in settings.
METHOD_LEVEL = {
    "password": Level.LOW,
    "password+sms": Level.SUBSTANTIAL,
    "password+totp": Level.SUBSTANTIAL,
    "passkey": Level.SUBSTANTIAL,
    "certificate": Level.HIGH,
}


def reached(methods: list[str], *, provider_levels: dict[str, Level] | None = None) -> Level:
    """The level a session holds: the strongest of the methods it completed."""
    levels = [METHOD_LEVEL.get(m) or (provider_levels or {}).get(m, Level.NONE) for m in methods]
    return max(levels, default=Level.NONE)


def needs_step_up(held: Level, required: Level) -> bool:
    return held < required
