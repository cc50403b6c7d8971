"""The workflow engine: which step an application is at, who may move it on, and where each move leads.

Pure Python over plain data (see `definitions.compile_workflow` for building a Workflow from a YAML mapping).
Callers give the facts a guard needs (fees settled, four eyes required, who proposed an approval); the engine
never reads the database.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "ACTORS",
    "GUARDS",
    "INPUTS",
    "Clock",
    "Refusal",
    "State",
    "Transition",
    "TransitionRefused",
    "Workflow",
]

# Who moves an application on. A centre agent filing for a citizen acts as the citizen, with consent on record.
ACTORS = frozenset({"citizen", "officer", "supervisor", "system"})
# What a person must write when taking a transition: the reason for a refusal, the question to the citizen…
INPUTS = frozenset({"reason", "message", "answer", "note"})


def _fees_settled(facts: Mapping) -> bool:
    return facts.get("fees_due", 0) == 0 or bool(facts.get("fees_paid"))


# Named conditions a transition may require, over the facts the caller passes.
GUARDS: dict[str, Callable[[Mapping], bool]] = {
    "fees-settled": _fees_settled,
    "fees-outstanding": lambda facts: not _fees_settled(facts),
    "four-eyes-required": lambda facts: bool(facts.get("four_eyes")),
    "four-eyes-not-required": lambda facts: not facts.get("four_eyes"),
    # The second pair of eyes: whoever confirms (or sends back) an approval is not who proposed it.
    "another-officer": lambda facts: (
        bool(facts.get("actor_id")) and facts.get("actor_id") != facts.get("proposed_by")
    ),
}


class Clock(StrEnum):
    """What the service's SLA clock does while an application is in a state."""

    RUNNING = "running"  # the agency is working on it
    PAUSED = "paused"  # waiting for the citizen (more information, payment)
    STOPPED = "stopped"  # decided or finished


@dataclass(frozen=True)
class State:
    code: str
    label: Mapping[str, str]
    meaning: Mapping[str, str]  # what it means for the citizen, in their words
    terminal: bool = False
    clock: Clock = Clock.RUNNING
    notify: str = ""  # the notice the applicant gets on reaching it; "" for none


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    label: Mapping[str, str]
    requires: tuple[str, ...] = ()
    guard: str | None = None
    # Taken by the system as soon as the application is in a source state and the guard holds.
    automatic: bool = False
    # Taken by the system after this many working days in a source state (for example closing when unanswered).
    after_working_days: int | None = None

    def guard_holds(self, facts: Mapping) -> bool:
        return self.guard is None or GUARDS[self.guard](facts)


class Refusal(StrEnum):
    TERMINAL = "terminal"
    UNKNOWN_ACTION = "unknown-action"
    NOT_FROM_THIS_STATE = "not-from-this-state"
    NOT_YOUR_ROLE = "not-your-role"
    CONDITION_NOT_MET = "condition-not-met"
    INPUT_MISSING = "input-missing"


class TransitionRefused(Exception):
    def __init__(self, refusal: Refusal, *, detail: tuple[str, ...] = ()):
        super().__init__(f"{refusal}: {', '.join(detail)}" if detail else str(refusal))
        self.refusal = refusal
        self.detail = detail


@dataclass(frozen=True)
class Workflow:
    code: str
    name: Mapping[str, str]
    initial: str
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]
    _by_action: Mapping[str, tuple[Transition, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        by_action: dict[str, list[Transition]] = {}
        for transition in self.transitions:
            by_action.setdefault(transition.action, []).append(transition)
        object.__setattr__(self, "_by_action", {k: tuple(v) for k, v in by_action.items()})

    def is_terminal(self, state: str) -> bool:
        return self.states[state].terminal

    def actions(self, state: str, actor: str, facts: Mapping) -> list[Transition]:
        """The moves this actor can make now, one per action, in the order the definition lists them."""
        chosen: dict[str, Transition] = {}
        for transition in self.transitions:
            if (
                state in transition.sources
                and actor in transition.actors
                and transition.action not in chosen
                and transition.guard_holds(facts)
            ):
                chosen[transition.action] = transition
        return list(chosen.values())

    def take(
        self, state: str, action: str, *, actor: str, facts: Mapping, inputs: Mapping[str, str]
    ) -> Transition:
        """The transition that `action` takes from `state`, or TransitionRefused saying why not."""
        if self.is_terminal(state):
            raise TransitionRefused(Refusal.TERMINAL)
        candidates = self._by_action.get(action)
        if not candidates:
            raise TransitionRefused(Refusal.UNKNOWN_ACTION)
        candidates = [t for t in candidates if state in t.sources]
        if not candidates:
            raise TransitionRefused(Refusal.NOT_FROM_THIS_STATE)
        candidates = [t for t in candidates if actor in t.actors]
        if not candidates:
            raise TransitionRefused(Refusal.NOT_YOUR_ROLE)
        # Alternatives for one action differ by guard (four eyes or not): the first whose guard holds wins.
        transition = next((t for t in candidates if t.guard_holds(facts)), None)
        if transition is None:
            raise TransitionRefused(
                Refusal.CONDITION_NOT_MET, detail=tuple(t.guard or "" for t in candidates)
            )
        missing = tuple(name for name in transition.requires if not str(inputs.get(name) or "").strip())
        if missing:
            raise TransitionRefused(Refusal.INPUT_MISSING, detail=missing)
        return transition

    def automatic(self, state: str, facts: Mapping) -> Transition | None:
        """The move the system makes at once from `state`, if any."""
        return next(
            (t for t in self.transitions if t.automatic and state in t.sources and t.guard_holds(facts)),
            None,
        )

    def overdue(self, state: str, working_days_in_state: int, facts: Mapping) -> Transition | None:
        """The timed move the system makes after so many working days in `state` (closing when unanswered)."""
        return next(
            (
                t
                for t in self.transitions
                if t.after_working_days is not None
                and state in t.sources
                and working_days_in_state >= t.after_working_days
                and t.guard_holds(facts)
            ),
            None,
        )

    def settle(self, state: str, facts: Mapping, *, limit: int = 20) -> list[Transition]:
        """The chain of automatic moves from `state` (instant issuance runs submitted → issued in one go)."""
        chain: list[Transition] = []
        while (step := self.automatic(state, facts)) is not None:
            chain.append(step)
            state = step.target
            if len(chain) > limit:
                raise RuntimeError(f"workflow {self.code}: automatic moves loop from {state}")
        return chain
