"""What publishing a service checks of its fees against its form (named in BAWABA_CATALOGUE_CHECKS): every
answer the form accepts for a question a fee rule prices must be one the rule can price, so that a citizen
never meets a refusal from the fee engine for an answer the form let through."""

from .fees import question_name


def fee_problems(service: dict) -> list[tuple[str, str]]:
    form = service.get("form_definition")
    if not form:
        return []
    properties = (form.get("schema") or {}).get("properties") or {}
    problems = []
    for position, rule in enumerate((service.get("fees") or {}).get("rules", [])):
        name = question_name(rule.get("field", ""))
        if rule["kind"] not in {"option", "per-item"} or name not in properties:
            continue
        question, where = properties[name], f"fees/rules/{position}"
        if rule["kind"] == "option":
            unpriced = sorted(set(map(str, question.get("enum", []))) - set(rule["amounts"]))
            if "enum" not in question:
                problems.append((where, f"question {name!r} must offer a fixed list of the priced options"))
            elif unpriced:
                problems.append((where, f"question {name!r} offers {', '.join(unpriced)} with no fee amount"))
        else:
            most, least = rule.get("max_items"), question.get("minimum")
            if question.get("type") != "integer" or least is None or least < 0:
                problems.append((where, f"question {name!r} must ask for a whole number from 0"))
            elif most is not None and question.get("maximum", most + 1) > most:
                problems.append((where, f"question {name!r} must allow at most {most} (max_items)"))
    return problems
