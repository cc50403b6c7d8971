"""The workflow engine: nothing moves outside the table, final states stay final, guards and roles hold."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.workflows.definitions import standard_workflows
from bawaba.workflows.engine import ACTORS, INPUTS, Refusal, TransitionRefused

WORKFLOWS = standard_workflows()
workflows = st.sampled_from(sorted(WORKFLOWS))
facts = st.fixed_dictionaries(
    {
        "fees_due": st.sampled_from([0, 2500]),
        "fees_paid": st.booleans(),
        "four_eyes": st.booleans(),
        "actor_id": st.sampled_from(["officer-1", "officer-2"]),
        "proposed_by": st.sampled_from(["officer-1", "officer-2", None]),
    }
)
inputs = st.dictionaries(st.sampled_from(sorted(INPUTS)), st.sampled_from(["", "  ", "because"]))


def all_actions(workflow):
    return sorted({t.action for t in workflow.transitions})


@given(workflows, st.data())
def test_a_random_walk_never_leaves_the_table(code, data):
    workflow = WORKFLOWS[code]
    state = workflow.initial
    for _ in range(40):
        actor = data.draw(st.sampled_from(sorted(ACTORS)))
        action = data.draw(st.sampled_from([*all_actions(workflow), "no-such-action"]))
        given_facts, given_inputs = data.draw(facts), data.draw(inputs)
        try:
            transition = workflow.take(state, action, actor=actor, facts=given_facts, inputs=given_inputs)
        except TransitionRefused as refused:
            if refused.refusal == Refusal.TERMINAL:
                assert workflow.is_terminal(state)
            continue
        # Whatever was taken is in the table, from this state, for this actor, with its guard and inputs.
        assert transition in workflow.transitions
        assert state in transition.sources and actor in transition.actors
        assert transition.guard_holds(given_facts)
        assert all(given_inputs.get(name, "").strip() for name in transition.requires)
        assert not workflow.is_terminal(state)
        state = transition.target
        assert state in workflow.states


@given(workflows, st.sampled_from(sorted(ACTORS)), facts)
def test_final_states_stay_final(code, actor, given_facts):
    workflow = WORKFLOWS[code]
    for name, state in workflow.states.items():
        if state.terminal:
            assert workflow.actions(name, actor, given_facts) == []
            assert workflow.automatic(name, given_facts) is None
            for action in all_actions(workflow):
                with pytest.raises(TransitionRefused) as refused:
                    workflow.take(name, action, actor=actor, facts=given_facts, inputs={"reason": "x"})
                assert refused.value.refusal == Refusal.TERMINAL


@given(workflows, facts)
def test_every_offered_action_can_be_taken(code, given_facts):
    workflow = WORKFLOWS[code]
    full_inputs = dict.fromkeys(INPUTS, "filled")
    for state in workflow.states:
        for actor in ACTORS:
            for transition in workflow.actions(state, actor, given_facts):
                taken = workflow.take(
                    state, transition.action, actor=actor, facts=given_facts, inputs=full_inputs
                )
                assert taken == transition


@given(workflows, facts)
def test_automatic_moves_always_settle_and_end_where_nothing_automatic_is_left(code, given_facts):
    workflow = WORKFLOWS[code]
    for state in workflow.states:
        chain = workflow.settle(state, given_facts)
        end = chain[-1].target if chain else state
        assert workflow.automatic(end, given_facts) is None
        assert all(t.actors == {"system"} for t in chain)


def test_an_instant_certificate_with_no_fee_is_completed_at_once():
    instant = WORKFLOWS["instant"]
    assert [t.target for t in instant.settle("submitted", {"fees_due": 0})] == ["completed"]
    assert [t.target for t in instant.settle("submitted", {"fees_due": 500})] == ["awaiting-payment"]
    assert [t.target for t in instant.settle("awaiting-payment", {"fees_due": 500, "fees_paid": True})] == [
        "completed"
    ]


def test_review_needs_a_reason_to_reject_and_the_citizen_cannot_approve():
    review = WORKFLOWS["review"]
    with pytest.raises(TransitionRefused) as missing:
        review.take("in-review", "reject", actor="officer", facts={}, inputs={"reason": "  "})
    assert missing.value.refusal == Refusal.INPUT_MISSING and missing.value.detail == ("reason",)
    with pytest.raises(TransitionRefused) as role:
        review.take("in-review", "approve", actor="citizen", facts={}, inputs={})
    assert role.value.refusal == Refusal.NOT_YOUR_ROLE
    with pytest.raises(TransitionRefused) as where:
        review.take("submitted", "approve", actor="officer", facts={}, inputs={})
    assert where.value.refusal == Refusal.NOT_FROM_THIS_STATE


def test_four_eyes_need_a_second_officer():
    review = WORKFLOWS["review"]
    proposed = review.take("in-review", "approve", actor="officer", facts={"four_eyes": True}, inputs={})
    assert proposed.target == "approval-pending"
    same = {"four_eyes": True, "actor_id": "officer-1", "proposed_by": "officer-1"}
    with pytest.raises(TransitionRefused) as refused:
        review.take("approval-pending", "confirm-approval", actor="officer", facts=same, inputs={})
    assert refused.value.refusal == Refusal.CONDITION_NOT_MET
    other = {**same, "actor_id": "officer-2"}
    assert review.take(
        "approval-pending", "confirm-approval", actor="officer", facts=other, inputs={}
    ).target == ("approved")
    # Without four eyes, approval is final at once.
    assert review.take("in-review", "approve", actor="officer", facts={}, inputs={}).target == "approved"


def test_unanswered_requests_close_after_thirty_working_days():
    review = WORKFLOWS["review"]
    assert review.overdue("more-information-requested", 29, {}) is None
    assert review.overdue("more-information-requested", 30, {}).target == "closed-unanswered"


def test_payment_first_waits_for_the_fee_before_the_agency_receives_it():
    flow = WORKFLOWS["payment-first"]
    assert [t.target for t in flow.settle("submitted", {"fees_due": 1000})] == ["awaiting-payment"]
    with pytest.raises(TransitionRefused):
        flow.take("awaiting-payment", "receive", actor="officer", facts={"fees_due": 1000}, inputs={})
    paid = {"fees_due": 1000, "fees_paid": True}
    assert [t.target for t in flow.settle("awaiting-payment", paid)] == ["paid"]
    assert flow.take("paid", "receive", actor="officer", facts=paid, inputs={}).target == "received"


def test_every_state_speaks_both_languages():
    for workflow in WORKFLOWS.values():
        for state in workflow.states.values():
            assert state.label["ar"] and state.label["en"] and state.meaning["ar"] and state.meaning["en"]
