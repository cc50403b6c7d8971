"""Workflow definitions: a definition that could strand an application is refused, naming the problem."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.workflows.definitions import WorkflowInvalid, compile_workflow, read_definitions

DEFINITIONS = read_definitions()
REVIEW = DEFINITIONS["review"]
TEXT = {"ar": "نص", "en": "text"}


def broken(change) -> dict:
    data = copy.deepcopy(REVIEW)
    change(data)
    return data


@pytest.mark.parametrize(
    "change,problem",
    [
        (lambda d: d.update(initial="nowhere"), "the first state nowhere is not defined"),
        (lambda d: d["transitions"][0].update(to="limbo"), "receive: state limbo is not defined"),
        (lambda d: d["transitions"][0].update(guard="moon-is-full"), "unknown guard moon-is-full"),
        (
            lambda d: d["transitions"][0].update(automatic=True),
            "automatic and timed moves are made by the system",
        ),
        (lambda d: d["transitions"][0].update({"from": ["rejected"]}), "leaves the final state rejected"),
        (
            lambda d: d["states"].update(limbo={"label": TEXT, "meaning": TEXT}),
            "state limbo cannot be reached",
        ),
        (
            lambda d: (
                d["transitions"].append(
                    {
                        "action": "park",
                        "from": ["in-review"],
                        "to": "parked",
                        "by": ["officer"],
                        "label": TEXT,
                    }
                )
                or d["states"].update(parked={"label": TEXT, "meaning": TEXT})
            ),
            "from state parked no final state can be reached",
        ),
        (lambda d: d["states"]["submitted"].pop("meaning"), "'meaning' is a required property"),
        (lambda d: d["transitions"][0].update(by=["janitor"]), "'janitor' is not one of"),
        (
            lambda d: d["transitions"].insert(
                0,
                {
                    "action": "approve",
                    "from": ["in-review"],
                    "to": "approved",
                    "by": ["officer"],
                    "label": TEXT,
                },
            ),
            "an earlier unguarded alternative hides this one",
        ),
    ],
)
def test_unsound_definitions_are_refused_with_the_problem_named(change, problem):
    with pytest.raises(WorkflowInvalid) as invalid:
        compile_workflow(broken(change))
    assert any(problem in p for p in invalid.value.problems), invalid.value.problems


def test_a_service_extends_a_standard_workflow_without_repeating_it():
    custom = {
        "code": "appeal",
        "name": {"ar": "تظلم", "en": "Appeal"},
        "extends": "review",
        "remove_transitions": ["mark-ready", "hand-over"],
        "remove_states": ["ready-for-collection", "collected"],
    }
    workflow = compile_workflow(custom, bases=DEFINITIONS)
    assert "mark-ready" not in {t.action for t in workflow.transitions}
    with pytest.raises(WorkflowInvalid, match="cannot be reached"):
        # ready-for-collection is now unreachable: the definition must drop it too, and is told so.
        compile_workflow(
            custom | {"remove_transitions": ["mark-ready"], "remove_states": []}, bases=DEFINITIONS
        )
    with pytest.raises(WorkflowInvalid, match="extends an unknown workflow"):
        compile_workflow(custom | {"extends": "nothing"}, bases=DEFINITIONS)


slugs = st.sampled_from(["a", "b", "c", "d", "e"])
transitions = st.lists(
    st.fixed_dictionaries(
        {
            "action": st.sampled_from(["go", "stop", "back"]),
            "from": st.lists(slugs, min_size=1, max_size=2),
            "to": slugs,
            "by": st.just(["officer"]),
            "label": st.just(TEXT),
        }
    ),
    max_size=8,
)
states = st.dictionaries(
    slugs,
    st.fixed_dictionaries({"label": st.just(TEXT), "meaning": st.just(TEXT), "terminal": st.booleans()}),
    min_size=1,
)


@given(states, transitions)
def test_whatever_compiles_is_sound(state_map, transition_list):
    data = {
        "code": "random",
        "name": TEXT,
        "initial": "a",
        "states": state_map,
        "transitions": transition_list,
    }
    try:
        workflow = compile_workflow(data)
    except WorkflowInvalid:
        return
    # From the first state every state is reachable, and from every state a final state.
    edges = {s: {t.target for t in workflow.transitions if s in t.sources} for s in workflow.states}
    reach, todo = {workflow.initial}, [workflow.initial]
    while todo:
        for nxt in edges[todo.pop()] - reach:
            reach.add(nxt)
            todo.append(nxt)
    assert reach == set(workflow.states)
    for name, state in workflow.states.items():
        if state.terminal:
            assert not edges[name]
