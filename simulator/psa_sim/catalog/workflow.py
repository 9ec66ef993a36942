"""One PSA workflow, read from a ProActive job descriptor (schema 3.x, namespaced or not).

Only what PSA needs is kept: the job's name, project, description, variables, job-level
generic information (pca.service.id, pca.states, workflow.icon...), and each task's name
and generic information (NODE_ACCESS_TOKEN). Doubts become warnings; only what makes the
file unusable is an error.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
import xml.parsers.expat as expat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import NoReturn

from psa_sim.catalog.errors import CatalogError
from psa_sim.catalog.scripts import ScriptRef, read_script_refs
from psa_sim.catalog.states import Transition, is_state_name, parse_pca_states
from psa_sim.catalog.variables import Variable, parse_model
from psa_sim.states import ALL, ENDED_STATES, VOID

SERVICE_ID_KEY = "pca.service.id"
STATES_KEY = "pca.states"
ICON_KEY = "workflow.icon"
NODE_ACCESS_TOKEN_KEY = "NODE_ACCESS_TOKEN"
# The bucket a workflow of the public examples says it belongs in.
BUCKET_NAME_KEY = "bucketName"

WARNING_STATES_WITHOUT_SERVICE = "pca.states is set but pca.service.id is missing"
WARNING_SERVICE_WITHOUT_STATES = "pca.service.id is set but pca.states is missing"
WARNING_NO_TASKS = "the workflow has no task"

_JOB_NAMESPACE = re.compile(r"urn:proactive:jobdescriptor:(?:3\.\d+|dev)\Z")
_DECLARED_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)


# What a plain job's control flow declares, as far as the XML says it without running
# its scripts: `runs = 3` in a replicate script, `PA_TASK_ITERATION') < 3` in a loop's.
_REPLICATE_RUNS = re.compile(r"\bruns\s*=\s*(\d+)")
_LOOP_BOUND = re.compile(r"PA_TASK_ITERATION['\"]\)?\s*(<=?)\s*(\d+)")
_READY_FOR_SIGNAL = re.compile(r"readyForSignal\(\s*[\"']([^\"']+)[\"']")
# The scheduler's default number of executions of a task (pa.scheduler.task.numberofexecution).
DEFAULT_EXECUTIONS = 2


@dataclass(frozen=True, slots=True)
class Task:
    name: str
    generic_info: Mapping[str, str]
    scripts: tuple[ScriptRef, ...] = ()  # catalog scripts it references (scripts.py)
    variables: tuple[tuple[str, str], ...] = ()  # task-level variables (name, value)
    depends: tuple[str, ...] = ()
    description: str = ""
    replicate_runs: int | None = None  # a replicate control flow: its children run N times
    loop_target: str | None = None  # a loop control flow: back to this task...
    loop_iterations: int = 1  # ...this many times in all (1 when its script is not read)
    ready_signals: tuple[str, ...] = ()  # signalapi.readyForSignal("X") in its scripts
    max_executions: int = DEFAULT_EXECUTIONS
    # <parallel numberOfNodes="..."> as written (a multi-node task; may hold ${VAR}).
    parallel_nodes: str | None = None

    @property
    def node_access_token(self) -> str | None:
        return self.generic_info.get(NODE_ACCESS_TOKEN_KEY)

    def __hash__(self) -> int:  # the mapping field is not hashable by itself
        return hash((self.name, tuple(self.generic_info.items()), self.scripts, self.variables))


@dataclass(frozen=True)
class Workflow:
    name: str
    project_name: str
    description: str
    variables: tuple[Variable, ...]  # document order
    generic_info: Mapping[str, str]  # job level, document order
    tasks: tuple[Task, ...]
    transitions: tuple[Transition, ...]  # parsed pca.states, () if absent
    source: str | None
    xml: str
    warnings: tuple[str, ...] = ()
    on_task_error: str = "none"  # the job's onTaskError: cancelJob fails it at a fault
    # FROM -> TO, built once: target_state() runs on the engine's hot path.
    _targets: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_targets", {t.from_state: t.to_state for t in self.transitions})

    def __hash__(self) -> int:
        # The XML text determines every other field but the source; dict fields cannot be hashed.
        return hash((self.name, self.source, self.xml))

    @property
    def service_id(self) -> str | None:
        return self.generic_info.get(SERVICE_ID_KEY)

    def bucket_or(self, default: str) -> str:
        """The bucket its `bucketName` generic information names, else `default`."""
        return self.generic_info.get(BUCKET_NAME_KEY, "").strip() or default

    @property
    def icon(self) -> str:
        return self.generic_info.get(ICON_KEY, "")

    @property
    def is_activation(self) -> bool:
        return VOID in self._targets

    @property
    def variable_map(self) -> dict[str, Variable]:
        return {variable.name: variable for variable in self.variables}

    @property
    def defaults(self) -> dict[str, str]:
        return {variable.name: variable.value for variable in self.variables}

    def target_state(self, current: str) -> str | None:
        """The state this workflow leads to from ``current``, or None if it does not apply.

        An exact FROM wins over ALL. ALL matches any state name except VOID (an ALL
        transition must not make a workflow an activation), and never a transitioning
        label such as "RUNNING -> FINISHED" (no action runs during a transition).
        FINISHED and KILLED are final: nothing applies to them, not even an explicit FROM.
        """
        if current in ENDED_STATES:
            return None
        target = self._targets.get(current)
        if target is not None:
            return target
        if current == VOID or not is_state_name(current):
            return None
        return self._targets.get(ALL)


def parse_workflow_file(path: str | PathLike[str]) -> Workflow:
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CatalogError(
            f"cannot read the file: {error.strerror or error}", source=source
        ) from None
    return parse_workflow(data, source=source)


def parse_workflow(xml_text: str | bytes, source: str | None = None) -> Workflow:
    """Parse a job descriptor; raise CatalogError for what makes it unusable."""
    _check_well_formed(xml_text, source)
    root = ElementTree.fromstring(xml_text)
    warnings: list[str] = []
    namespace = _strip_namespaces(root)
    if namespace is not None and not _JOB_NAMESPACE.match(namespace):
        warnings.append(
            f"unexpected XML namespace '{namespace}' (expected urn:proactive:jobdescriptor:3.x)"
        )
    if root.tag != "job":
        raise CatalogError(f"the root element is <{root.tag}>, expected <job>", source=source)
    name = (root.get("name") or "").strip()
    if not name:
        raise CatalogError("the <job> element has no name attribute", source=source)

    def fail(message: str) -> CatalogError:
        return CatalogError(message, source=source, workflow=name)

    variables = _read_variables(root, warnings, fail)
    generic_info = _read_generic_info(root, "the job", warnings)
    tasks = _read_tasks(root, warnings)
    transitions: tuple[Transition, ...] = ()
    if STATES_KEY in generic_info:
        try:
            transitions = parse_pca_states(generic_info[STATES_KEY])
        except CatalogError as error:
            raise error.in_context(source=source, workflow=name) from None
        if not generic_info.get(SERVICE_ID_KEY, "").strip():
            warnings.append(WARNING_STATES_WITHOUT_SERVICE)
    elif SERVICE_ID_KEY in generic_info:
        warnings.append(WARNING_SERVICE_WITHOUT_STATES)
    if not tasks:
        warnings.append(WARNING_NO_TASKS)
    return Workflow(
        name=name,
        project_name=root.get("projectName") or "",
        description=_text_of(root.find("description")),
        variables=variables,
        generic_info=generic_info,
        tasks=tasks,
        transitions=transitions,
        source=source,
        xml=_as_text(xml_text),
        warnings=tuple(warnings),
        on_task_error=root.get("onTaskError") or "none",
    )


def _check_well_formed(xml_text: str | bytes, source: str | None) -> None:
    """Refuse malformed XML (with its line/column) and any DTD before building the tree.

    A DOCTYPE is refused outright: job descriptors never need one, and entity
    declarations are the way to the "billion laughs" memory blow-up.
    """
    parser = expat.ParserCreate()

    def refuse_dtd(*_args: object) -> NoReturn:
        raise CatalogError(
            "DOCTYPE/ENTITY declarations are not allowed in a workflow", source=source
        )

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    try:
        parser.Parse(xml_text, True)
    except expat.ExpatError as error:
        raise CatalogError(
            f"not well-formed XML at line {error.lineno}, column {error.offset + 1}: "
            f"{expat.ErrorString(error.code)}",
            source=source,
        ) from None


def _strip_namespaces(root: ElementTree.Element) -> str | None:
    """Drop namespaces from every tag (3.x versions differ only there); return the root's."""
    namespace = None
    if root.tag.startswith("{"):
        namespace = root.tag[1:].split("}", 1)[0]
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]
    return namespace


def _read_variables(
    root: ElementTree.Element, warnings: list[str], fail: Callable[[str], CatalogError]
) -> tuple[Variable, ...]:
    by_name: dict[str, Variable] = {}
    container = root.find("variables")
    for position, element in enumerate(
        container.findall("variable") if container is not None else (), 1
    ):
        name = (element.get("name") or "").strip()
        if not name:
            raise fail(f"variable #{position} (value {element.get('value')!r}) has no name")
        model = parse_model(element.get("model"))
        if model.problem:
            warnings.append(
                f"variable {name}: {model.problem} in model {model.raw!r}; its values are not checked"
            )
        if name in by_name:
            warnings.append(f"variable {name} is declared twice; the later declaration wins")
        # A later declaration replaces the earlier one but keeps its place in the form.
        by_name[name] = Variable(
            name=name,
            value=element.get("value") or "",
            model=model,
            description=element.get("description") or "",
            group=element.get("group") or "",
            advanced=_is_true(element.get("advanced")),
            hidden=_is_true(element.get("hidden")),
        )
    return tuple(by_name.values())


def _read_generic_info(
    owner: ElementTree.Element, where: str, warnings: list[str]
) -> dict[str, str]:
    info: dict[str, str] = {}
    container = owner.find("genericInformation")
    for element in container.findall("info") if container is not None else ():
        name = element.get("name")
        if not name:
            warnings.append(
                f"{where}: generic information without a name (value {element.get('value')!r}) ignored"
            )
            continue
        if name in info:
            warnings.append(
                f"{where}: generic information {name} is set twice; the later value wins"
            )
        info[name] = element.get("value") or ""
    return info


def _read_tasks(root: ElementTree.Element, warnings: list[str]) -> tuple[Task, ...]:
    task_flow = root.find("taskFlow")
    tasks = []
    for element in task_flow.findall("task") if task_flow is not None else ():
        name = element.get("name") or ""
        if not name:
            warnings.append("a task has no name attribute")
        depends = element.find("depends")
        flow = element.find("controlFlow")
        replicate = flow.find("replicate") if flow is not None else None
        loop = flow.find("loop") if flow is not None else None
        parallel = element.find("parallel")
        try:
            executions = int(element.get("maxNumberOfExecution") or DEFAULT_EXECUTIONS)
        except ValueError:
            executions = DEFAULT_EXECUTIONS
        tasks.append(
            Task(
                name=name,
                generic_info=_read_generic_info(element, f"task '{name}'", warnings),
                scripts=read_script_refs(element),
                variables=tuple(
                    (v.get("name") or "", v.get("value") or "")
                    for v in element.findall("variables/variable")
                    if v.get("name")
                ),
                depends=tuple(ref.get("ref") or "" for ref in depends.findall("task"))
                if depends is not None
                else (),
                description=_text_of(element.find("description")),
                replicate_runs=_replicate_runs(replicate),
                loop_target=loop.get("target") if loop is not None else None,
                loop_iterations=_loop_iterations(loop),
                ready_signals=tuple(
                    dict.fromkeys(_READY_FOR_SIGNAL.findall("".join(element.itertext())))
                ),
                max_executions=max(1, executions),
                parallel_nodes=(parallel.get("numberOfNodes") or "1").strip()
                if parallel is not None
                else None,
            )
        )
    return tuple(tasks)


def _replicate_runs(replicate: ElementTree.Element | None) -> int | None:
    if replicate is None:
        return None
    match = _REPLICATE_RUNS.search(_text_of(replicate))
    return max(1, int(match.group(1))) if match else 1


def _loop_iterations(loop: ElementTree.Element | None) -> int:
    """How many times a loop's block runs: read from `iteration < N`, `loop = false`."""
    if loop is None:
        return 1
    text = _text_of(loop)
    bound = _LOOP_BOUND.search(text)
    if bound:
        # `loop = ITERATION < N` is asked after iterations 0, 1, ...: the block runs N + 1
        # times (N + 2 with <=).
        return int(bound.group(2)) + (2 if bound.group(1) == "<=" else 1)
    return 1


def _text_of(element: ElementTree.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _is_true(text: str | None) -> bool:
    return (text or "").strip().lower() == "true"


def _as_text(xml_text: str | bytes) -> str:
    """The document as text, decoded with its declared encoding (UTF-8 by default)."""
    if isinstance(xml_text, str):
        return xml_text
    declared = _DECLARED_ENCODING.match(xml_text)
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return xml_text.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except (LookupError, UnicodeDecodeError):
        return xml_text.decode("utf-8", errors="replace")
