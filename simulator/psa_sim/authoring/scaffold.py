"""`psa-sim new-service`: the workflows of a container service, written as the tutorial
builds them.

The seed tutorial (COCO Annotator) writes an activation whose first task runs the
container between `Pre_Start_Service` (pre), `Post_Start_Service` (post) and
`Clean_Start_Service` (cleaning), followed by a task looping on itself with
`Check_Instance_Status` and the `Fetch_Logs` control flow, on the node its token
reserves (`NODE_ACCESS_TOKEN`); and a finish whose first task runs `Pre_Trigger_Action
FINISH_LAUNCHED` and whose second stops the container between `Post_Trigger_Action
FINISHED` (post) and `Clean_Trigger_Action` (cleaning). The real COCO_Annotator and
Finish_COCO_Annotator (ow2-proactive/proactive-examples, COCOAnnotator/resources/catalog)
were read for the layout and the variables; the text below is our own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from psa_sim.errors import InvalidInput

LIBRARY_BUCKET = "service-automation"
DEFAULT_BUCKET = "service-automation"
DEFAULT_ICON = "/automation-dashboard/styles/patterns/img/wf-icons/docker.png"
_SCHEMA = "urn:proactive:jobdescriptor:3.14"
_SCHEMA_LOCATION = (
    f"{_SCHEMA} http://www.activeeon.com/public_content/schemas/proactive/jobdescriptor/"
    "3.14/schedulerjob.xsd"
)
# A workflow name is a catalog object name and a file name: keep it plain.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")
# An image reference as `docker run` takes it (registry/name:tag or @digest).
_IMAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:@-]*\Z")

PROTOCOLS = ("http", "https")


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """What `psa-sim new-service` asks for; every field checked by `check()`."""

    name: str
    image: str = "nginx:alpine"
    port: int = 80  # the container's port, published on SERVICE_PORT (-1: a free one)
    protocol: str = "http"
    proxyfied: bool = False
    pause_resume: bool = False
    bucket: str = DEFAULT_BUCKET
    icon: str = DEFAULT_ICON

    def check(self) -> None:
        if not _NAME.match(self.name):
            raise InvalidInput(
                f"name: {self.name!r} must start with a letter and hold only letters, "
                f"digits and '_' (64 at most): it names the workflows and their files"
            )
        if not _IMAGE.match(self.image):
            raise InvalidInput(f"image: {self.image!r} is not a container image reference")
        if not 1 <= self.port <= 65535:
            raise InvalidInput(f"port: {self.port} is not a port within 1..65535")
        if self.protocol not in PROTOCOLS:
            raise InvalidInput(f"protocol: {self.protocol!r} is not one of {', '.join(PROTOCOLS)}")
        if not _BUCKET.match(self.bucket):
            raise InvalidInput(
                f"bucket: {self.bucket!r} must be lower-case letters, digits, '-' or '_'"
            )

    @property
    def slug(self) -> str:
        """The lower-case, dashed form used in instance and endpoint names."""
        return self.name.lower().replace("_", "-")

    @property
    def finish_name(self) -> str:
        return f"Finish_{self.name}"

    @property
    def pause_name(self) -> str:
        return f"Pause_{self.name}"

    @property
    def resume_name(self) -> str:
        return f"Resume_{self.name}"


def scaffold_files(spec: ServiceSpec) -> dict[str, str]:
    """File name -> XML text of every workflow of the service, activation first."""
    spec.check()
    files = {
        f"{spec.name}.xml": _activation(spec),
        f"{spec.finish_name}.xml": _finish(spec),
    }
    if spec.pause_resume:
        files[f"{spec.pause_name}.xml"] = _pause(spec)
        files[f"{spec.resume_name}.xml"] = _resume(spec)
    return files


def write_service(spec: ServiceSpec, out: str | Path, *, force: bool = False) -> list[Path]:
    """Write the service's workflows into ``out`` (created if needed); refuses, writing
    nothing, when one of the files exists and ``force`` is not set."""
    files = scaffold_files(spec)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"out: {str(folder)!r} exists and is not a folder")
    targets = [folder / name for name in files]
    existing = [str(path) for path in targets if path.exists()]
    if existing and not force:
        raise InvalidInput(
            f"out: {', '.join(existing)} already exist(s); nothing written (--force overwrites)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in zip(targets, files.values(), strict=True):
        path.write_text(text, encoding="utf-8")
    return targets


# --- XML pieces ------------------------------------------------------------------------


def _attr(value: str) -> str:
    return quoteattr(value)


def _variable(
    name: str, value: str, model: str, description: str, group: str, advanced: bool = False
) -> str:
    model_attr = f" model={_attr(model)}" if model else ""
    return (
        f"    <variable name={_attr(name)} value={_attr(value)}{model_attr} "
        f"description={_attr(description)} group={_attr(group)} "
        f'advanced="{str(advanced).lower()}" hidden="false"/>'
    )


def _library(script: str, args: tuple[str, ...] = ()) -> str:
    """A reference to a script of the service-automation library, by catalog URL."""
    url = f"${{PA_CATALOG_REST_URL}}/buckets/{LIBRARY_BUCKET}/resources/{script}/raw"
    if not args:
        return f'<file language="groovy" url={_attr(url)}/>'
    arguments = "".join(f"<argument value={_attr(a)}/>" for a in args)
    return f'<file language="groovy" url={_attr(url)}><arguments>{arguments}</arguments></file>'


def _script_block(tag: str, body: str, indent: str = "      ") -> str:
    return f"{indent}<{tag}>\n{indent}  <script>\n{indent}    {body}\n{indent}  </script>\n{indent}</{tag}>"


def _bash(code: str) -> str:
    return f'<code language="bash"><![CDATA[\n{code.strip()}\n]]></code>'


def _job(
    spec: ServiceSpec,
    name: str,
    states: str,
    description: str,
    variables: list[str],
    tasks: list[str],
) -> str:
    info = [
        ("bucketName", spec.bucket),
        ("workflow.icon", spec.icon),
        ("pca.service.id", spec.name),
        ("pca.states", states),
        ("group", "public-objects"),
    ]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<job xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="{_SCHEMA}" '
        f'xsi:schemaLocation="{_SCHEMA_LOCATION}" name={_attr(name)} '
        f'tags="Service,Docker" projectName="Services" priority="normal" '
        f'onTaskError="cancelJob" maxNumberOfExecution="2">',
        "  <variables>",
        *variables,
        "  </variables>",
        f"  <description><![CDATA[ {escape(description)} ]]></description>",
        "  <genericInformation>",
        *(f"    <info name={_attr(k)} value={_attr(v)}/>" for k, v in info),
        "  </genericInformation>",
        "  <taskFlow>",
        *tasks,
        "  </taskFlow>",
        "</job>",
        "",
    ]
    return "\n".join(lines)


def _task(
    name: str,
    parts: list[str],
    *,
    token: bool,
    icon: str,
    depends: str | None = None,
    description: str = "",
) -> str:
    info = [f'        <info name="task.icon" value={_attr(icon)}/>']
    if token:
        # The node the activation reserved with its token: the tutorial's NODE_ACCESS_TOKEN.
        info.append('        <info name="NODE_ACCESS_TOKEN" value="PSA_$INSTANCE_NAME"/>')
    lines = [
        f'    <task name={_attr(name)} fork="true">',
        f"      <description><![CDATA[ {escape(description)} ]]></description>",
        "      <genericInformation>",
        *info,
        "      </genericInformation>",
    ]
    if depends:
        lines += ["      <depends>", f"        <task ref={_attr(depends)}/>", "      </depends>"]
    lines += parts
    lines.append("    </task>")
    return "\n".join(lines)


# --- the workflows ---------------------------------------------------------------------


def _activation(spec: ServiceSpec) -> str:
    group = "Service Parameters"
    https = spec.protocol == "https"
    variables = [
        _variable(
            "INSTANCE_NAME",
            f"{spec.slug}-$PA_JOB_ID",
            "PA:NOT_EMPTY_STRING",
            "Name of the service instance (and of its container)",
            group,
        ),
        _variable(
            "ENDPOINT_ID",
            f"{spec.slug}-gui-$PA_JOB_ID",
            "PA:NOT_EMPTY_STRING",
            "Id of the service endpoint",
            group,
            advanced=True,
        ),
        _variable(
            "SERVICE_PORT",
            "-1",
            "PA:Integer[-1,65535]",
            "Host port the service is published on; -1 picks a free one",
            group,
            advanced=True,
        ),
        _variable(
            "PROXYFIED",
            str(spec.proxyfied).lower(),
            "PA:Boolean",
            "True to reach the endpoint through the server's proxy",
            group,
        ),
        _variable(
            "HTTPS_ENABLED" if https else "HTTP_ENABLED",
            "true",
            "PA:Boolean",
            f"True: the endpoint is {spec.protocol}://HOST:PORT",
            group,
            advanced=True,
        ),
        _variable(
            "ENGINE",
            "docker",
            "PA:List(docker,podman)",
            "Container engine that runs the image",
            "Container Parameters",
        ),
        _variable(
            "DOCKER_IMAGE",
            spec.image,
            "PA:NOT_EMPTY_STRING",
            "Container image of the service",
            "Container Parameters",
            advanced=True,
        ),
    ]
    start = f"""
# Run the service's container, its port {spec.port} published on SERVICE_PORT (-1: a free
# port). Post_Start_Service reads the two files written here: the container id and port.
NAME="$variables_INSTANCE_NAME"
ENGINE="$variables_ENGINE"
if [ "$variables_SERVICE_PORT" = "-1" ]; then PUBLISH={spec.port}; else PUBLISH="$variables_SERVICE_PORT:{spec.port}"; fi
"$ENGINE" run -d --name "$NAME" -p "$PUBLISH" "$variables_DOCKER_IMAGE" > "${{NAME}}_status"
"$ENGINE" port "$NAME" {spec.port} | head -n 1 | sed 's/.*://' > "${{NAME}}_port"
"""
    start_task = _task(
        f"Start_{spec.name}",
        [
            _script_block("selection", _library("Check_Not_Used_By_Other_Service")),
            _script_block("pre", _library("Pre_Start_Service")),
            _script_block("scriptExecutable", _bash(start)),
            _script_block("post", _library("Post_Start_Service")),
            _script_block("cleaning", _library("Clean_Start_Service")),
        ],
        token=False,
        icon=spec.icon,
        description="Start the container; the library scripts record the endpoint, "
        "put the node token and report RUNNING.",
    )
    loop_task = _task(
        "Loop_Over_Instance_Status",
        [
            _script_block("scriptExecutable", _library("Check_Instance_Status")),
            '      <controlFlow block="none">\n'
            '        <loop target="Loop_Over_Instance_Status">\n'
            f"          <script>{_library('Fetch_Logs')}</script>\n"
            "        </loop>\n"
            "      </controlFlow>",
        ],
        token=True,
        icon=spec.icon,
        depends=f"Start_{spec.name}",
        description="Check the container every minute until the instance is finished "
        "(IS_FINISHED) or its container dies (ERROR).",
    )
    return _job(
        spec,
        spec.name,
        "(VOID,RUNNING)",
        f"Start {spec.name}: the container image {spec.image} on one ProActive node.",
        variables,
        [start_task, loop_task],
    )


def _action_variables() -> list[str]:
    return [
        _variable(
            "INSTANCE_NAME",
            "",
            "",
            "Name of the instance acted on (PSA passes the instance's variables)",
            "Service Parameters",
        )
    ]


def _action(
    spec: ServiceSpec,
    name: str,
    states: str,
    flag: str,
    status: str,
    command: str,
    description: str,
) -> str:
    trigger = _task(
        "Pre_Trigger_Action",
        [_script_block("scriptExecutable", _library("Pre_Trigger_Action", (flag,)))],
        token=False,
        icon=spec.icon,
        description=f"Tell the instance's loop that {flag.lower().replace('_', ' ')}.",
    )
    act = _task(
        name,
        [
            _script_block("scriptExecutable", _bash(command)),
            _script_block("post", _library("Post_Trigger_Action", (status,))),
            _script_block("cleaning", _library("Clean_Trigger_Action")),
        ],
        token=True,
        icon=spec.icon,
        depends="Pre_Trigger_Action",
        description=description,
    )
    return _job(spec, name, states, description, _action_variables(), [trigger, act])


def _engine_command(verb: str) -> str:
    return f"""
NAME="$variables_INSTANCE_NAME"
"${{variables_ENGINE:-docker}}" {verb} "$NAME" && echo "$NAME" > "${{NAME}}_status"
"""


def _finish(spec: ServiceSpec) -> str:
    states = "(RUNNING,FINISHED)(ERROR,FINISHED)"
    if spec.pause_resume:
        states = "(RUNNING,FINISHED)(PAUSED,FINISHED)(ERROR,FINISHED)"
    return _action(
        spec,
        spec.finish_name,
        states,
        "FINISH_LAUNCHED",
        "FINISHED",
        _engine_command("rm -f"),
        f"Stop and remove the {spec.name} container; the token goes with it.",
    )


def _pause(spec: ServiceSpec) -> str:
    return _action(
        spec,
        spec.pause_name,
        "(RUNNING,PAUSED)",
        "PAUSE_LAUNCHED",
        "PAUSED",
        _engine_command("pause"),
        f"Pause the {spec.name} container; it and its data are kept.",
    )


def _resume(spec: ServiceSpec) -> str:
    return _action(
        spec,
        spec.resume_name,
        "(PAUSED,RUNNING)",
        "RESUME_LAUNCHED",
        "RUNNING",
        _engine_command("unpause"),
        f"Resume the paused {spec.name} container.",
    )
