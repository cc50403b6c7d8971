"""What publishing a service checks of the notices its workflow names (named in BAWABA_CATALOGUE_CHECKS)."""

from bawaba.notifications.notices import notices
from bawaba.workflows.definitions import (
    WorkflowInvalid,
    compile_workflow,
    standard_definitions,
    standard_workflows,
)


def notice_problems(service: dict) -> list[tuple[str, str]]:
    """(key, reason) for each state whose `notify:` names no notice of notifications/notices.yaml."""
    name = service.get("workflow")
    if name is None:
        return []
    try:
        if "workflow_definition" in service:
            workflow = compile_workflow(service["workflow_definition"], bases=standard_definitions())
        else:
            workflow = standard_workflows().get(name)
    except WorkflowInvalid:
        return []  # the workflow's own check names what is wrong with it
    if workflow is None:
        return []
    known = notices()
    return [
        ("workflow", f"workflow {name}: state {state.code} names no notice {state.notify!r}")
        for state in workflow.states.values()
        if state.notify and state.notify not in known
    ]
