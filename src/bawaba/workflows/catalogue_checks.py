"""What publishing a service checks of its workflow (named in BAWABA_CATALOGUE_CHECKS)."""

from .definitions import WorkflowInvalid, compile_workflow, standard_definitions, standard_workflows


def workflow_problems(service: dict) -> list[tuple[str, str]]:
    """(key, reason) for each problem of the workflow a service names or defines."""
    name = service.get("workflow")
    if name is None:
        return []
    if "workflow_definition" in service:
        try:
            compile_workflow(service["workflow_definition"], bases=standard_definitions())
        except WorkflowInvalid as invalid:
            return [("workflow", f"workflow {name}: {problem}") for problem in invalid.problems]
        return []
    if name not in standard_workflows():
        known = ", ".join(sorted(standard_workflows()))
        return [
            ("workflow", f"no workflow {name!r}: name a standard one ({known}) or add workflows/{name}.yaml")
        ]
    return []
