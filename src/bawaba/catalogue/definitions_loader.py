"""Reading catalogue definition files: YAML, validated against the JSON Schemas, errors with file and line.

Pure of the database: it turns a folder of files into validated plain data, or into a list of errors.
"""

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string
from jsonschema import Draft202012Validator, FormatChecker
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
TAXONOMY_FILE = "taxonomy.yaml"
# A service names its form and, when it has its own, its workflow: files of these folders, by name.
PART_FOLDERS = {"form": "forms", "workflow": "workflows"}


@dataclass(frozen=True)
class DefinitionError:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class AgencyFile:
    path: Path
    agency: dict
    services: list[dict]
    service_lines: list[int] = field(default_factory=list)


@dataclass
class Taxonomy:
    categories: list[dict]
    life_events: list[dict]

    @property
    def category_codes(self) -> set[str]:
        return {c["code"] for c in self.categories}

    @property
    def life_event_codes(self) -> set[str]:
        return {e["code"] for e in self.life_events}


@dataclass
class Parts:
    """The forms and workflows of a definitions folder, each by its file name (without .yaml)."""

    forms: dict[str, dict] = field(default_factory=dict)
    workflows: dict[str, dict] = field(default_factory=dict)


@dataclass
class Catalogue:
    taxonomy: Taxonomy | None
    files: list[AgencyFile]
    errors: list[DefinitionError]
    rejected: list[Path]


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _plain(node):
    """ruamel's round-trip nodes as plain dicts, lists and scalars (JSON-ready)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def _line(root, path) -> int:
    """1-based line of the deepest node on `path` that the document has."""
    node, line = root, 0
    for step in path:
        if (isinstance(node, CommentedMap) and step in node) or (
            isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node)
        ):
            line = node.lc.data[step][0]
            node = node[step]
        else:
            break
    return line + 1


def _schema_errors(name: str, document, plain, display: str) -> list[DefinitionError]:
    errors = []
    for error in sorted(_validator(name).iter_errors(plain), key=lambda e: list(map(str, e.absolute_path))):
        location = "/".join(str(p) for p in error.absolute_path) or "(top)"
        errors.append(
            DefinitionError(
                display, _line(document, list(error.absolute_path)), f"{location}: {error.message}"
            )
        )
    return errors


def _read(path: Path, display: str) -> tuple[object, list[DefinitionError]]:
    try:
        return YAML(typ="rt", pure=True).load(path.read_text(encoding="utf-8")), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [DefinitionError(display, line, f"not valid YAML: {exc.problem or exc.context}")]
    except (YAMLError, UnicodeDecodeError) as exc:
        return None, [DefinitionError(display, 1, f"not readable: {exc}")]


def read_taxonomy(path: Path, display: str | None = None) -> tuple[Taxonomy | None, list[DefinitionError]]:
    display = display or path.name
    document, errors = _read(path, display)
    if errors:
        return None, errors
    plain = _plain(document)
    errors = _schema_errors("taxonomy.schema.json", document, plain, display)
    for section in ("categories", "life_events"):
        errors += _duplicates(document, plain, section, "code", display)
    if errors:
        return None, errors
    return Taxonomy(plain["categories"], plain["life_events"]), []


def _duplicates(document, plain, section: str, key: str, display: str) -> list[DefinitionError]:
    seen: set[str] = set()
    errors = []
    for index, item in enumerate(plain.get(section) or []):
        value = item.get(key) if isinstance(item, dict) else None
        if value in seen:
            errors.append(
                DefinitionError(
                    display,
                    _line(document, [section, index, key]),
                    f"{section}/{index}/{key}: {value!r} appears twice",
                )
            )
        seen.add(value)
    return errors


def read_agency_file(
    path: Path, taxonomy: Taxonomy, display: str | None = None, parts: Parts | None = None
) -> tuple[AgencyFile | None, list[DefinitionError]]:
    display = display or path.name
    document, errors = _read(path, display)
    if errors:
        return None, errors
    plain = _plain(document)
    errors = _schema_errors("agency-file.schema.json", document, plain, display)
    if errors:
        return None, errors

    def error(where: list, reason: str) -> None:
        errors.append(
            DefinitionError(display, _line(document, where), f"{'/'.join(map(str, where))}: {reason}")
        )

    if plain["agency"]["code"] != path.stem:
        error(
            ["agency", "code"],
            f"the agency code {plain['agency']['code']!r} must match the file name {path.stem!r}",
        )
    errors += _duplicates(document, plain, "services", "code", display)
    for index, service in enumerate(plain["services"]):
        where = ["services", index]
        if service["category"] not in taxonomy.category_codes:
            error([*where, "category"], f"unknown category {service['category']!r}")
        for position, event in enumerate(service.get("life_events", [])):
            if event not in taxonomy.life_event_codes:
                error([*where, "life_events", position], f"unknown life event {event!r}")
        for position, rule in enumerate(service.get("fees", {}).get("rules", [])):
            labels = rule.get("options")
            if rule["kind"] == "option" and labels is not None and set(labels) != set(rule["amounts"]):
                error(
                    [*where, "fees", "rules", position, "options"],
                    "option labels must name exactly the options that have amounts",
                )
        documents = [d["code"] for d in service.get("documents", [])]
        if len(documents) != len(set(documents)):
            error([*where, "documents"], "a document code appears twice")
        _attach_parts(
            service, parts or Parts(), lambda key, reason, where=where: error([*where, key], reason)
        )
    if errors:
        return None, errors
    lines = [_line(document, ["services", i]) for i in range(len(plain["services"]))]
    return AgencyFile(path, plain["agency"], plain["services"], lines), []


def _attach_parts(service: dict, parts: Parts, error) -> None:
    """Copy the service's form (and its own workflow) into its definition, so a version freezes them too,
    then let each capability check what it owns (BAWABA_CATALOGUE_CHECKS)."""
    if name := service.get("form"):
        if name in parts.forms:
            service["form_definition"] = parts.forms[name]
        else:
            error("form", f"no form {name!r} in forms/")
    if (name := service.get("workflow")) and name in parts.workflows:
        service["workflow_definition"] = parts.workflows[name]
    for check in _checks():
        for key, reason in check(service):
            error(key, reason)


@cache
def _checks() -> list:
    # Dotted paths rather than imports: forms and workflows sit beside the catalogue and are not imported by it.
    return [import_string(path) for path in settings.BAWABA_CATALOGUE_CHECKS]


def read_parts(directory: Path) -> tuple[Parts, list[DefinitionError]]:
    parts, errors = Parts(), []
    for key, folder in PART_FOLDERS.items():
        for path in sorted((directory / folder).glob("*.yaml")):
            display = f"{folder}/{path.name}"
            document, file_errors = _read(path, display)
            if not file_errors and not isinstance(document, dict):
                file_errors = [DefinitionError(display, 1, "a mapping is expected")]
            if file_errors:
                errors += file_errors
                continue
            getattr(parts, f"{key}s")[path.stem] = _plain(document)
    return parts, errors


def read_catalogue(directory: Path) -> Catalogue:
    """Every file of a definitions folder. A file with any error is rejected whole."""
    taxonomy_path = directory / TAXONOMY_FILE
    if not taxonomy_path.exists():
        return Catalogue(
            None, [], [DefinitionError(TAXONOMY_FILE, 1, f"missing from {directory}")], [taxonomy_path]
        )
    taxonomy, errors = read_taxonomy(taxonomy_path)
    if taxonomy is None:
        return Catalogue(None, [], errors, [taxonomy_path])
    parts, errors = read_parts(directory)
    files, rejected = [], []
    owner: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == TAXONOMY_FILE:
            continue
        loaded, file_errors = read_agency_file(path, taxonomy, parts=parts)
        if loaded:
            for service, line in zip(loaded.services, loaded.service_lines, strict=True):
                if (other := owner.get(service["code"])) is not None:
                    file_errors.append(
                        DefinitionError(
                            path.name, line, f"service code {service['code']!r} is already defined in {other}"
                        )
                    )
            if not file_errors:
                owner.update({s["code"]: path.name for s in loaded.services})
        if file_errors:
            errors += file_errors
            rejected.append(path)
        else:
            files.append(loaded)
    return Catalogue(taxonomy, files, errors, rejected)


def definition_hash(definition: dict) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
