"""Building workflows from their definitions (YAML mappings), refusing any that could strand an application.

Beyond the JSON Schema's shape, a definition must be sound: every state reachable from the first, a way to a
final state from every other, final states with no way out, known guards, automatic moves made by the system.
The standard workflows (instant, review, payment-first) ship in definitions/; a service may define its own,
usually by extending one of them.
"""

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from .engine import GUARDS, Clock, State, Transition, Workflow

__all__ = ["WorkflowInvalid", "compile_workflow", "standard_workflows"]

HERE = Path(__file__).resolve().parent
DEFINITIONS_DIR = HERE / "definitions"


class WorkflowInvalid(ValueError):
    def __init__(self, code: str, problems: list[str]):
        super().__init__(f"workflow {code}: " + "; ".join(problems))
        self.code = code
        self.problems = problems


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((HERE / "workflow.schema.json").read_text()))


def _merged(data: Mapping, base: Mapping) -> dict:
    """A definition that extends another: the base's states and transitions, changed and added to."""
    dropped = set(data.get("remove_transitions", ()))
    gone = set(data.get("remove_states", ()))
    return {
        "code": data["code"],
        "name": data["name"],
        "initial": data.get("initial", base["initial"]),
        "states": {k: v for k, v in {**base["states"], **data.get("states", {})}.items() if k not in gone},
        "transitions": [t for t in base["transitions"] if t["action"] not in dropped]
        + list(data.get("transitions", [])),
    }


def _soundness(data: Mapping) -> list[str]:
    states, transitions = data["states"], data["transitions"]
    problems = []
    if data["initial"] not in states:
        problems.append(f"the first state {data['initial']} is not defined")
    for t in transitions:
        for name in (*t["from"], t["to"]):
            if name not in states:
                problems.append(f"{t['action']}: state {name} is not defined")
        if t.get("guard") and t["guard"] not in GUARDS:
            problems.append(f"{t['action']}: unknown guard {t['guard']} (known: {', '.join(sorted(GUARDS))})")
        if (t.get("automatic") or t.get("after_working_days")) and t["by"] != ["system"]:
            problems.append(f"{t['action']}: automatic and timed moves are made by the system alone")
        for source in t["from"]:
            if states.get(source, {}).get("terminal"):
                problems.append(f"{t['action']}: leaves the final state {source}")
    if problems:
        return problems
    # Alternatives for one action from one state must be told apart by guards, or the later ones never run.
    seen: dict[tuple[str, str], list[str | None]] = {}
    for t in transitions:
        for source in t["from"]:
            guards = seen.setdefault((source, t["action"]), [])
            if None in guards:
                problems.append(
                    f"{t['action']} from {source}: an earlier unguarded alternative hides this one"
                )
            guards.append(t.get("guard"))
    edges: dict[str, set[str]] = {name: set() for name in states}
    for t in transitions:
        for source in t["from"]:
            edges[source].add(t["to"])
    reachable, todo = {data["initial"]}, [data["initial"]]
    while todo:
        for target in edges[todo.pop()] - reachable:
            reachable.add(target)
            todo.append(target)
    problems += [f"state {name} cannot be reached" for name in states if name not in reachable]
    finishing = {name for name, state in states.items() if state.get("terminal")}
    if not finishing:
        problems.append("no final state")
    changed = True
    while changed:
        before = len(finishing)
        finishing |= {name for name, targets in edges.items() if targets & finishing}
        changed = len(finishing) != before
    problems += [
        f"from state {name} no final state can be reached" for name in states if name not in finishing
    ]
    return problems


def compile_workflow(data: Mapping, *, bases: Mapping[str, Mapping] | None = None) -> Workflow:
    """A Workflow from a definition mapping, or WorkflowInvalid listing every problem found."""
    code = str(data.get("code", "?"))
    shape = [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in _validator().iter_errors(data)
    ]
    if shape:
        raise WorkflowInvalid(code, shape)
    if "extends" in data:
        base = (bases or {}).get(data["extends"])
        if base is None:
            raise WorkflowInvalid(code, [f"extends an unknown workflow {data['extends']}"])
        data = _merged(data, base)
    missing = [key for key in ("initial", "states", "transitions") if key not in data]
    if missing:
        raise WorkflowInvalid(code, [f"{key} is required" for key in missing])
    if problems := _soundness(data):
        raise WorkflowInvalid(code, problems)
    return Workflow(
        code=code,
        name=dict(data["name"]),
        initial=data["initial"],
        states={
            name: State(
                code=name,
                label=dict(s["label"]),
                meaning=dict(s["meaning"]),
                terminal=bool(s.get("terminal")),
                clock=Clock(s.get("clock", "stopped" if s.get("terminal") else "running")),
                notify=s.get("notify", ""),
            )
            for name, s in data["states"].items()
        },
        transitions=tuple(
            Transition(
                action=t["action"],
                sources=frozenset(t["from"]),
                target=t["to"],
                actors=frozenset(t["by"]),
                label=dict(t["label"]),
                requires=tuple(t.get("requires", ())),
                guard=t.get("guard"),
                automatic=bool(t.get("automatic")),
                after_working_days=t.get("after_working_days"),
            )
            for t in data["transitions"]
        ),
    )


def read_definitions(folder: Path = DEFINITIONS_DIR) -> dict[str, dict]:
    yaml = YAML(typ="safe")
    return {data["code"]: data for data in (yaml.load(path) for path in sorted(folder.glob("*.yaml")))}


@cache
def standard_definitions() -> dict[str, dict]:
    """The definitions of the workflows every service may name (instant, review, payment-first)."""
    return read_definitions()


@cache
def standard_workflows() -> dict[str, Workflow]:
    definitions = standard_definitions()
    return {code: compile_workflow(d, bases=definitions) for code, d in definitions.items()}
