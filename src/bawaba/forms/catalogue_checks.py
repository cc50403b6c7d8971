"""What publishing a service checks of its form (named in BAWABA_CATALOGUE_CHECKS)."""

from .definitions import FormInvalid, compile_form
from .prefill import REGISTRY


def form_problems(service: dict) -> list[tuple[str, str]]:
    """(key, reason) for each problem of the service's form; none when it has no form of its own."""
    if "form_definition" not in service:
        return []
    try:
        compile_form(service["form_definition"], prefill_sources=REGISTRY)
    except FormInvalid as invalid:
        return [("form", f"form {service['form']}: {problem}") for problem in invalid.problems]
    return []
