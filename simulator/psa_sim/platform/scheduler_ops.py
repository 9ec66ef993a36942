"""The scheduler's operations (/rest/scheduler), mixed into Platform.

As the real SchedulerRestInterface (ow2-proactive/scheduling, rest/rest-api/.../common/
SchedulerRestInterface.java): following jobs (listings, states, task states, results,
logs), acting on them (kill, pause, resume, remove, priority, signals) and submitting
workflows. A workflow with pca.* submitted here is what the PSA portal would have
submitted: an activation creates its service instance, an action with PCA_INSTANCE_ID
acts on that instance, with the same rules as /cloud-automation-service. Any other
workflow runs as a plain job (engine/plain_jobs.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from psa_sim.catalog import BUNDLED_BUCKET
from psa_sim.catalog.errors import CatalogError
from psa_sim.catalog.workflow import Workflow, parse_workflow
from psa_sim.engine.jobs import Job, JobStatus
from psa_sim.engine.plain_jobs import plan
from psa_sim.engine.scheduler import PRIORITIES
from psa_sim.errors import Forbidden, InvalidInput, NotFound, PsaError
from psa_sim.platform import scheduler_views as sv
from psa_sim.platform.input_limits import check_variables
from psa_sim.platform.operations import operation

if TYPE_CHECKING:
    from psa_sim.catalog import ServiceIndex
    from psa_sim.engine.simulation import Simulation
    from psa_sim.platform.auth import User
    from psa_sim.platform.catalog_store import CatalogStore

# The variable by which a workflow names the service instance it acts on.
PCA_INSTANCE_ID = "PCA_INSTANCE_ID"
# A page of task states when the client names no limit (TASKS_PAGE_SIZE).
TASKS_PAGE_SIZE = 50
# Which job statuses each listing filter keeps (JobFilterCriteria).
PENDING_JOBS = frozenset({JobStatus.PENDING})
RUNNING_JOBS = frozenset({JobStatus.RUNNING, JobStatus.PAUSED, JobStatus.IN_ERROR})
FINISHED_JOBS = frozenset({JobStatus.FINISHED, JobStatus.FAILED, JobStatus.KILLED})
# Priorities only an administrator may give (JobPriority: HIGH and HIGHEST).
ADMIN_PRIORITIES = frozenset({"HIGH", "HIGHEST"})
# A link to this server's own catalog: .../catalog/buckets/{bucket}/resources/{name}[/raw]
_CATALOG_LINK = re.compile(r"/catalog/buckets/([^/]+)/resources/([^/]+?)(?:/raw)?/?$")
HIGHEST_PRIORITY_FOR_USERS = "NORMAL"


class SchedulerOperations:
    """Operations of /rest/scheduler; `Platform` provides the state they use."""

    if TYPE_CHECKING:
        sim: Simulation
        index: ServiceIndex
        catalog: CatalogStore

        def _user(self, session_id: str | None) -> User: ...

    # --- reading jobs --------------------------------------------------------------
    def _job(self, session_id: str | None, job_id: object) -> Job:
        user = self._user(session_id)
        job = self.sim.job(_int("job_id", job_id))
        if not user.admin and job.owner != user.name:
            raise Forbidden(f"job_id: job {job_id} belongs to another user")
        return job

    def _visible(self, user: User, mine_only: bool) -> list[Job]:
        """The jobs a user may list, newest first: non-administrators see their own."""
        own = mine_only or not user.admin
        jobs = [j for j in self.sim.scheduler.jobs.values() if not own or j.owner == user.name]
        jobs.reverse()  # ids grow with submission: newest first
        return jobs

    @operation()
    def get_job(self, session_id: str | None, job_id: int) -> dict:
        return sv.job_state(self._job(session_id, job_id), self.sim)

    @operation()
    def job_info(self, session_id: str | None, job_id: int) -> dict:
        return sv.job_info(self._job(session_id, job_id), self.sim)

    @operation()
    def list_job_ids(self, session_id: str | None, index: int = -1, limit: int = -1) -> dict:
        jobs = self._visible(self._user(session_id), False)
        return sv.page([str(j.job_id) for j in _paged(jobs, index, limit)], len(jobs))

    @operation()
    def jobs_info(self, session_id: str | None, index: int = -1, limit: int = -1) -> dict:
        jobs = self._visible(self._user(session_id), False)
        return sv.page([sv.user_job(j, self.sim) for j in _paged(jobs, index, limit)], len(jobs))

    @operation()
    def revision_jobs_info(
        self,
        session_id: str | None,
        index: int = -1,
        limit: int = -1,
        myjobs: bool = False,
        pending: bool = True,
        running: bool = True,
        finished: bool = True,
        job_name: str = "",
        project_name: str = "",
        user_name: str = "",
        parent_id: int = -1,
    ) -> dict:
        """RestMapPage<Long, List<UserJobData>>: {size, map: {revision: [jobs]}}."""
        statuses: set[JobStatus] = set()
        for wanted, group in (
            (pending, PENDING_JOBS),
            (running, RUNNING_JOBS),
            (finished, FINISHED_JOBS),
        ):
            if wanted:
                statuses |= group
        jobs = [
            j
            for j in self._visible(self._user(session_id), myjobs)
            if j.status in statuses
            and (not job_name or j.name == job_name)
            and (not project_name or j.workflow.project_name == project_name)
            and (not user_name or j.owner == user_name)
            and (parent_id < 0 or j.parent_job_id == parent_id)
        ]
        shown = [sv.user_job(j, self.sim) for j in _paged(jobs, index, limit)]
        return {"size": len(jobs), "map": {str(self.sim.scheduler.revision): shown}}

    @operation()
    def jobs_info_list(self, session_id: str | None, job_ids: list[str]) -> list[dict]:
        """jobsinfolist: UserJobData of the jobs named that exist and the user may see."""
        user = self._user(session_id)
        out = []
        for raw in job_ids:
            job = self.sim.scheduler.get(_int("jobsid", raw))
            if job is not None and (user.admin or job.owner == user.name):
                out.append(sv.user_job(job, self.sim))
        return out

    @operation()
    def job_xml(self, session_id: str | None, job_id: int) -> str:
        """jobs/{id}/xml: the job descriptor it was submitted with."""
        return self._job(session_id, job_id).workflow.xml

    @operation()
    def state_revision(self, session_id: str | None) -> int:
        self._user(session_id)
        return self.sim.scheduler.revision

    @operation()
    def task_names(
        self, session_id: str | None, job_id: int, offset: int = 0, limit: int = -1
    ) -> dict:
        rows = sv.task_rows(self._job(session_id, job_id))
        return sv.page([r.name for r in _paged(rows, offset, limit)], len(rows))

    @operation()
    def task_states(
        self, session_id: str | None, job_id: int, offset: int = 0, limit: int = TASKS_PAGE_SIZE
    ) -> dict:
        job = self._job(session_id, job_id)
        rows = sv.task_rows(job)
        shown = [sv.task_state(job, r, self.sim) for r in _paged(rows, offset, limit)]
        return sv.page(shown, len(rows))

    @operation()
    def task_state(self, session_id: str | None, job_id: int, task_name: str) -> dict:
        job = self._job(session_id, job_id)
        return sv.task_state(job, sv.find_row(job, task_name), self.sim)

    @operation()
    def get_job_result(self, session_id: str | None, job_id: int) -> dict:
        return sv.job_result(self._job(session_id, job_id), self.sim)

    @operation()
    def job_result_value(self, session_id: str | None, job_id: int) -> dict[str, str | None]:
        """Map task name → its value, for the tasks that ended."""
        job = self._job(session_id, job_id)
        return {
            row.name: sv.task_value(job, row)
            for row in sv.task_rows(job)
            if row.finished_at is not None
        }

    @operation()
    def task_result(self, session_id: str | None, job_id: int, task_name: str) -> dict:
        job = self._job(session_id, job_id)
        return sv.task_result(job, _ended(job, sv.find_row(job, task_name)))

    @operation()
    def task_result_value(self, session_id: str | None, job_id: int, task_name: str) -> str | None:
        job = self._job(session_id, job_id)
        return sv.task_value(job, _ended(job, sv.find_row(job, task_name)))

    @operation()
    def job_log(self, session_id: str | None, job_id: int) -> str:
        job = self._job(session_id, job_id)
        return sv.job_log(job, self.sim)

    @operation()
    def task_log(self, session_id: str | None, job_id: int, task_name: str) -> str:
        job = self._job(session_id, job_id)
        return sv.task_log(job, sv.find_row(job, task_name), self.sim)

    # --- acting on jobs ------------------------------------------------------------
    @operation(journaled=True)
    def kill_job(self, session_id: str | None, job_id: int) -> bool:
        job = self._job(session_id, job_id)
        self.sim.kill_job(job.job_id)
        return True

    @operation(journaled=True)
    def pause_job(self, session_id: str | None, job_id: int) -> bool:
        self.sim.pause_job(self._job(session_id, job_id).job_id)
        return True

    @operation(journaled=True)
    def resume_job(self, session_id: str | None, job_id: int) -> bool:
        self.sim.resume_job(self._job(session_id, job_id).job_id)
        return True

    @operation(journaled=True)
    def remove_job(self, session_id: str | None, job_id: int) -> bool:
        self.sim.remove_job(self._job(session_id, job_id).job_id)
        return True

    @operation(journaled=True)
    def change_job_priority(self, session_id: str | None, job_id: int, name: str) -> None:
        user = self._user(session_id)
        job = self._job(session_id, job_id)
        priority = str(name).upper()
        if priority in ADMIN_PRIORITIES and not user.admin:
            raise Forbidden(
                f"name: only an administrator may give a job the priority {priority} "
                f"(at most {HIGHEST_PRIORITY_FOR_USERS})"
            )
        self.sim.set_job_priority(job.job_id, priority)

    @operation(journaled=True)
    def change_job_priority_by_value(self, session_id: str | None, job_id: int, value: str) -> None:
        """priority/byvalue/{value}: JobPriority's numbers, 0 (IDLE) to 5 (HIGHEST)."""
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if not 0 <= number < len(PRIORITIES):
            raise InvalidInput(
                f"value: {value!r}: the priority value must be an integer between 0 and "
                f"{len(PRIORITIES) - 1}"
            )
        self.change_job_priority(session_id, job_id, PRIORITIES[number])

    @operation(journaled=True)
    def kill_jobs(self, session_id: str | None, job_ids: list[str]) -> bool:
        """PUT jobs/kill?jobsid=…: every job named that still runs is killed; all are
        checked first, so an unknown or another user's job changes nothing."""
        jobs = [self._job(session_id, raw) for raw in _required_ids(job_ids)]
        for job in jobs:
            if not job.status.is_final:
                self.sim.kill_job(job.job_id)
        return True

    @operation(journaled=True)
    def remove_jobs(self, session_id: str | None, job_ids: list[str], older_than: int = 0) -> bool:
        """DELETE jobs?jobsid=… or ?olderThan=EPOCH_MS (the jobs that ended before it)."""
        if job_ids:
            jobs = [self._job(session_id, raw) for raw in job_ids]
        elif older_than > 0:
            user = self._user(session_id)
            cutoff = (older_than - self.sim.epoch_ms) / 1000
            jobs = [
                j
                for j in self._visible(user, False)
                if j.finished_at is not None and j.finished_at < cutoff
            ]
        else:
            raise InvalidInput("jobsid: either jobsid or olderThan parameter must be provided")
        for job in jobs:
            self.sim.remove_job(job.job_id)
        return True

    @operation(journaled=True)
    def add_job_signal(
        self,
        session_id: str | None,
        job_id: int,
        signal: str,
        variables: Mapping[str, object] | None = None,
    ) -> list[str]:
        job = self._job(session_id, job_id)
        if variables is not None and not isinstance(variables, Mapping):
            raise InvalidInput(f"body: {variables!r} is not a map of variable names to values")
        check_variables("body", _as_checked(variables))
        return self.sim.add_job_signal(job.job_id, signal, variables)

    # --- submitting ----------------------------------------------------------------
    @operation(journaled=True)
    def submit_job(
        self,
        session_id: str | None,
        xml: str,
        variables: Mapping[str, str] | None = None,
        generic_info: Mapping[str, str] | None = None,
        bucket: str | None = None,
    ) -> dict:
        """POST /submit: a job descriptor; returns JobIdData."""
        user = self._user(session_id)
        check_variables("variables", _as_checked(variables))
        workflow = _parse(xml)
        return self._submit(user, workflow, dict(variables or {}), generic_info, bucket)

    @operation(journaled=True)
    def submit_from_url(
        self,
        session_id: str | None,
        link: str,
        variables: Mapping[str, str] | None = None,
        generic_info: Mapping[str, str] | None = None,
    ) -> dict:
        """POST /jobs with the header `link`: a workflow of this server's catalog."""
        user = self._user(session_id)
        check_variables("variables", _as_checked(variables))
        bucket, name = _catalog_link(link)
        content, _ = self.catalog.get_raw(bucket, name)
        workflow = _parse(content)
        return self._submit(user, workflow, dict(variables or {}), generic_info, bucket)

    @operation()
    def validate_job(
        self, session_id: str | None, xml: str, variables: Mapping[str, str] | None = None
    ) -> dict:
        """POST /validate: JobValidationData; a bad job is `valid: false`, never an error."""
        self._user(session_id)
        explicit = dict(variables or {})
        try:
            workflow = _parse(xml)
        except InvalidInput as exc:
            return _validation(False, str(exc))
        try:
            problems = self.sim.workflow_problems(workflow, explicit)
            if problems:
                raise InvalidInput("; ".join(str(p) for p in problems))
            if not workflow.service_id:
                plan(workflow)
        except PsaError as exc:
            return _validation(False, str(exc), workflow, explicit)
        return _validation(True, None, workflow, explicit)

    def _submit(
        self,
        user: User,
        workflow: Workflow,
        variables: dict[str, str],
        generic_info: Mapping[str, str] | None,
        bucket: str | None,
    ) -> dict:
        info = {sv.GI_SUBMISSION_MODE: "rest-api", **dict(generic_info or {})}
        if not workflow.service_id or not workflow.transitions:
            job = self.sim.submit_plain(
                workflow,
                variables,
                user=user.name,
                bucket=bucket or workflow.generic_info.get("bucketName", ""),
                generic_info=info,
            )
            return sv.job_id_data(job)
        bucket = bucket or self._bucket_of(workflow)
        target = variables.get(PCA_INSTANCE_ID) or workflow.defaults.get(PCA_INSTANCE_ID, "")
        if target.strip() and target.strip() != "-1":
            instance = self.sim.instance(_int(PCA_INSTANCE_ID, target))
            if not user.admin and instance.user_name != user.name:
                raise Forbidden(f"{PCA_INSTANCE_ID}: instance {target} belongs to another user")
            self.sim.act(instance, bucket, workflow, variables, user=user.name, generic_info=info)
        elif workflow.is_activation:
            instance = self.sim.activate(
                bucket, workflow, variables, user=user.name, generic_info=info
            )
        else:
            raise InvalidInput(
                f"{PCA_INSTANCE_ID}: '{workflow.name}' is an action of service "
                f"{workflow.service_id}: give the id of the instance it acts on"
            )
        job = self.sim.job(instance.job_submissions[0].job_id)
        return sv.job_id_data(job)

    def _bucket_of(self, workflow: Workflow) -> str:
        """The catalog bucket holding a workflow of that name for that service, as PSA
        records it; the job's bucketName, else the PSA bucket, when none does."""
        try:
            bucket, _ = self.index.find(workflow.name, service_id=workflow.service_id)
        except NotFound:
            return workflow.generic_info.get("bucketName") or BUNDLED_BUCKET
        return bucket


def _as_checked(variables: Mapping[str, object] | None) -> dict[object, object]:
    checked: dict[object, object] = {}
    checked.update(variables or {})
    return checked


def _parse(xml: str | bytes) -> Workflow:
    try:
        return parse_workflow(xml)
    except CatalogError as exc:
        raise InvalidInput(f"job descriptor: {exc}") from None


def _catalog_link(link: str) -> tuple[str, str]:
    if not link or not link.strip():
        raise InvalidInput("link: the URL of the workflow to submit is required")
    match = _CATALOG_LINK.search(urlsplit(link.strip()).path)
    if match is None:
        raise InvalidInput(
            f"link: '{link}' is not a workflow of this server's catalog "
            f"(.../catalog/buckets/BUCKET/resources/NAME/raw): psa-sim fetches no other URL"
        )
    return unquote(match.group(1)), unquote(match.group(2))


def _validation(
    valid: bool,
    error: str | None,
    workflow: Workflow | None = None,
    variables: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    declared = workflow.variables if workflow is not None else ()
    values = {v.name: v.value for v in declared}
    values.update(variables or {})
    secret = {v.name for v in declared if v.is_secret}
    return {
        "valid": valid,
        "taskName": None,
        "errorMessage": error,
        "stackTrace": None,
        "updatedVariables": {
            k: (sv.SECRET_MASK if k in secret and v else v) for k, v in values.items()
        },
        "updatedModels": {v.name: v.model.raw or "" for v in declared},
        "updatedDescriptions": {v.name: v.description for v in declared},
        "updatedGroups": {v.name: v.group for v in declared},
        "updatedAdvanced": {v.name: v.advanced for v in declared},
        "updatedHidden": {v.name: v.hidden for v in declared},
    }


def _ended(job: Job, row: sv.TaskRow) -> sv.TaskRow:
    if job.tasks is not None and row.finished_at is None:
        raise NotFound(
            f"taskname: the result of task {row.name} of job {job.job_id} is not available "
            f"yet (it is {row.status})"
        )
    return row


def _required_ids(job_ids: list[str]) -> list[str]:
    if not job_ids:
        raise InvalidInput("jobsid: at least one job id is required")
    return job_ids


def _paged(items: list[Any], index: int, limit: int) -> list[Any]:
    """A page: from `index` (negative: the start), `limit` items (not positive: all)."""
    start = max(index, 0)
    return items[start : start + limit] if limit > 0 else items[start:]


def _int(field: str, value: object) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{field}: {value!r} is not an integer")
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"{field}: {value!r} is not an integer") from None
