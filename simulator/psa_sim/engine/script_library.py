"""What the service-automation script library does, decided once per workflow.

Real PSA workflows delegate their life-cycle bookkeeping to shared scripts of the
`service-automation` bucket (ow2-proactive/proactive-examples, PcaScripts/resources/
catalog, read for facts). The engine does not run Groovy: it recognises the references
(catalog/scripts.py) and applies what each script does on a real server:

- `Pre_Start_Service` (pre): with PROXYFIED=true, puts PROXYFIED_URL
  (`…/services/{id}/endpoints/{ENDPOINT_ID}/`) and WS_PROXYFIED_URL (ws/wss).
- `Post_Start_Service` (post): the endpoint URL `scheme://HOSTNAME:PORT`, the scheme
  being https/http from HTTPS_ENABLED when it is set, else http if HTTP_ENABLED is true,
  else the script's first argument (`mongodb`), else no endpoint; puts HOSTNAME and
  PORT; records the deployment (node, container, endpoint, proxyfied URL) and, with
  PROXYFIED=true, the groups scheduleradmins and rmcoreadmins; reports RUNNING; sets
  RUNNING_STATE and INSTANCE_NAME on the channel; puts the token PSA_<INSTANCE_NAME> on
  its node.
- `Add_deployments_and_update_service BASENAME COUNT` (main, as HDFS, Spark, HBase, Hive
  and YARN use it): the deployments are JSON the workflow's own code builds; the first
  one is always the master's GUI, `http://<host>:<port>` with a proxyfied URL (so the
  groups scheduleradmins and rmcoreadmins), then reports RUNNING like Post_Start_Service.
  Its endpoint id (inline code: `hdfs-gui-<job id>`) is ENDPOINT_ID, else `sim.endpoint`,
  else `<BASENAME without _deployment_json_>-gui-<job id>`. A COUNT that resolves to 0
  (Docker_Swarm's inline code sets it so on a deploy error) records nothing and reports
  ERROR with RUNNING_STATE=2 and DEPLOY_ERROR_MESSAGE on the channel. In a multi-node
  activation (Docker_Swarm) the deployments are one per node, with no URL.
- `Clean_Start_Service` (cleaning): an activation that did not reach RUNNING is ERROR.
- `Check_Instance_Status` / `Loop_over_service_instance_status` (the loop task) and
  `Fetch_Logs` (its control flow): every minute; FINISHED ends the loop (IS_FINISHED)
  and removes the token; a dead container with neither FINISH_LAUNCHED nor
  PAUSE_LAUNCHED puts the instance in ERROR and ends the loop **without** removing the
  token.
- `Pre_Trigger_Action ARG` (pre of an action): sets the channel flag ARG
  (FINISH_LAUNCHED, PAUSE_LAUNCHED), or for RESUME_LAUNCHED: RUNNING_STATE=1,
  RESUMED=true, PAUSE_LAUNCHED=false.
- `Post_Trigger_Action STATUS` (post): reports STATUS; FINISHED also sets FINISH_DONE.
- `Clean_Trigger_Action` (cleaning) and `Update_service_and_remove_tokens`: remove the
  token when the activation's job is over (a crash ended it): the clean-up path.

A workflow that references none of them does its bookkeeping in its own inline code,
which the engine cannot read: it gets the same conventional behaviour, with the
`sim.*` generic information (docs/script-library.md) standing for what that code
computes.
"""

from __future__ import annotations

from dataclasses import dataclass

from psa_sim.catalog.references import resolve_references
from psa_sim.catalog.scripts import CLEAN, FLOW, MAIN, POST, PRE, ScriptRef
from psa_sim.catalog.workflow import Workflow

LIBRARY_BUCKET = "service-automation"

PRE_START = "Pre_Start_Service"
POST_START = "Post_Start_Service"
CLEAN_START = "Clean_Start_Service"
CHECK_STATUS = ("Check_Instance_Status", "Check_Instance_Status_Singularity")
LOOP_STATUS = "Loop_over_service_instance_status"
FETCH_LOGS = "Fetch_Logs"
PRE_TRIGGER = "Pre_Trigger_Action"
POST_TRIGGER = "Post_Trigger_Action"
CLEAN_TRIGGER = "Clean_Trigger_Action"
REMOVE_TOKENS = "Update_service_and_remove_tokens"
ADD_DEPLOYMENTS = "Add_deployments_and_update_service"
SET_FINISHED = "Set_service_FINISHED_if_all_clean_OK"
FIND_INSTANCE = "Find_and_set_Instance_Id"
SERVICE_ACTION = "Service_Action"

# Scripts whose effect is already the engine's own rule: node selection (a node with a
# PSA_ token takes only tasks asking for it) and the container commands of each kind.
BUILT_IN = (
    "Check_Not_Used_By_Other_Service",
    "Finish_Action",
    "Pause_Action",
    "Resume_Action",
)

# Every script the engine interprets; the bundled catalog holds a stand-in of each.
INTERPRETED = (
    *BUILT_IN,
    PRE_START,
    POST_START,
    CLEAN_START,
    *CHECK_STATUS,
    LOOP_STATUS,
    FETCH_LOGS,
    PRE_TRIGGER,
    POST_TRIGGER,
    CLEAN_TRIGGER,
    REMOVE_TOKENS,
    ADD_DEPLOYMENTS,
    SET_FINISHED,
    FIND_INSTANCE,
    SERVICE_ACTION,
)

RESUME_LAUNCHED = "RESUME_LAUNCHED"


@dataclass(frozen=True, slots=True)
class ServiceAction:
    """A task that runs an action on another service's instance, as Finish_Kafka's
    Stop_Zookeeper_Service does: `Find_and_set_Instance_Id SERVICE NAME` (pre) finds
    the instance, `Service_Action` (main) submits SERVICE_ACTION_WORKFLOW (bucket/name)
    or ACTION on it. Arguments are kept as written (`$ZOOKEEPER_SERVICE_ID`)."""

    workflow: str
    service_arg: str
    name_arg: str

    @property
    def guard(self) -> str | None:
        """The `TERMINATE_<X>_ON_FINISH` variable a real workflow tests before it
        (Finish_Kafka's if/else on TERMINATE_ZOOKEEPER_ON_FINISH), from `$<X>_SERVICE_ID`."""
        name = self.service_arg.strip().lstrip("$").strip("{}")
        if not name.endswith("_SERVICE_ID") or len(name) <= len("_SERVICE_ID"):
            return None
        return f"TERMINATE_{name[: -len('_SERVICE_ID')]}_ON_FINISH"


@dataclass(frozen=True, slots=True)
class ScriptPlan:
    """The library's effects for one workflow (all False/None: it uses none)."""

    uses_library: bool = False
    pre_start: bool = False
    post_start: bool = False
    scheme_argument: str | None = None  # Post_Start_Service's first argument
    deployments_basename: str | None = None  # Add_deployments_and_update_service's first
    deployments_count: str | None = None  # its second argument, as written ($nb_…)
    clean_start: bool = False
    loop: bool = False
    trigger_flag: str | None = None  # Pre_Trigger_Action's argument
    trigger_status: str | None = None  # Post_Trigger_Action's argument
    removes_token_when_loop_over: bool = False  # Clean_Trigger_Action and kin
    service_actions: tuple[ServiceAction, ...] = ()


def _first(
    refs: list[ScriptRef], names: tuple[str, ...], roles: tuple[str, ...]
) -> ScriptRef | None:
    return next((r for r in refs if r.name in names and r.role in roles), None)


def plan_of(workflow: Workflow) -> ScriptPlan:
    """Read the workflow's references to the library (every task, document order)."""
    refs = [ref for task in workflow.tasks for ref in task.scripts if ref.bucket == LIBRARY_BUCKET]
    known = [r for r in refs if r.name in INTERPRETED]
    if not known:
        return ScriptPlan()
    service_actions = []
    for task in workflow.tasks:
        names = {r.name: r for r in task.scripts if r.bucket == LIBRARY_BUCKET}
        find = names.get(FIND_INSTANCE)
        task_variables = dict(task.variables)
        target = task_variables.get("SERVICE_ACTION_WORKFLOW") or task_variables.get("ACTION")
        if SERVICE_ACTION in names and find is not None and len(find.args) >= 2 and target:
            service_actions.append(ServiceAction(target, find.args[0], find.args[1]))
    post = _first(known, (POST_START,), (POST, MAIN))
    scheme = None
    if post is not None and post.args and post.args[0].strip():
        scheme = post.args[0].strip()
    add = _first(known, (ADD_DEPLOYMENTS,), (MAIN, POST))
    basename = add.args[0].strip() if add is not None and add.args else None
    count = add.args[1].strip() if add is not None and len(add.args) > 1 else None
    pre_trigger = _first(known, (PRE_TRIGGER,), (PRE, MAIN))
    post_trigger = _first(known, (POST_TRIGGER, SET_FINISHED), (POST, MAIN))
    return ScriptPlan(
        uses_library=True,
        pre_start=_first(known, (PRE_START,), (PRE, MAIN)) is not None,
        post_start=post is not None,
        scheme_argument=scheme,
        deployments_basename=basename or None,
        deployments_count=count or None,
        clean_start=_first(known, (CLEAN_START,), (CLEAN,)) is not None,
        loop=_first(known, (*CHECK_STATUS, LOOP_STATUS, FETCH_LOGS), (MAIN, FLOW)) is not None,
        trigger_flag=(pre_trigger.args[0].strip() or None)
        if pre_trigger is not None and pre_trigger.args
        else None,
        trigger_status=(post_trigger.args[0].strip() or None)
        if post_trigger is not None and post_trigger.args
        else None,
        removes_token_when_loop_over=_first(
            known, (CLEAN_TRIGGER, REMOVE_TOKENS), (CLEAN, MAIN, POST)
        )
        is not None,
        service_actions=tuple(service_actions),
    )


DEPLOYMENT_JSON_SUFFIX = "_deployment_json_"


def master_endpoint_id(basename: str, job_id: int) -> str:
    """The master GUI's endpoint id HDFS, Spark and Hive build in their own code
    (`hdfs-gui-<job id>`), from Add_deployments_and_update_service's first argument
    (`hdfs_deployment_json_`); HBase and YARN name theirs otherwise (sim.endpoint)."""
    prefix = basename.removesuffix(DEPLOYMENT_JSON_SUFFIX).rstrip("_") or "service"
    return f"{prefix}-gui-{job_id}"


def deployments_count(argument: str, variables: dict[str, str], job_id: int) -> int | None:
    """Add_deployments_and_update_service's COUNT once the job's variables resolve it;
    None when it stays unknown (a variable the workflow's own code computes)."""
    try:
        return int(resolve_references(argument, variables, job_id).strip())
    except ValueError:
        return None
