"""The scheduler's REST API (/rest/scheduler), as SchedulerRestInterface declares it.

Sessions are shared with /rest/common. Job variables ride as matrix parameters
(``/submit;NAME=value``, see middleware.MatrixParameters) or in a `variables` part; query
parameters of a submission become generic information, as on a real scheduler.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import FastAPI, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.responses import Response

from psa_sim.api import scheduler_models as m
from psa_sim.api.responses import json_response, no_content, text_response
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.api.routes.sessions import LOGIN_RESPONSES, client_address
from psa_sim.errors import InvalidInput, Unauthorized
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.platform import Platform

# The part of a submission's multipart body that holds job variables (a JSON map).
VARIABLES_PART = "variables"
XML_TYPES = ("application/xml", "text/xml")
JOB_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        VARIABLES_PART: {"type": "string"},
                    },
                    "required": ["file"],
                }
            }
        },
    }
}
Link = Annotated[
    str, Header(alias="link", description="URL of a workflow of this server's catalog")
]
Index = Annotated[int, Query(description="first item (-1: from the start)")]
Limit = Annotated[int, Query(description="items in the page (-1: all)")]
Offset = Annotated[int, Query(description="first task")]


def add_scheduler_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/rest/scheduler", "scheduler")
    call = driver.call

    # --- sessions (the driver's, shared with /rest/common and /rest/rm) --------------
    @r.post("/login", response_class=PlainTextResponse, responses=LOGIN_RESPONSES)
    async def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        credential: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        """A form (urlencoded or multipart, LoginForm: username, password, credential)."""
        if credential is not None and not (username and password):
            raise Unauthorized(
                "credential: psa-sim cannot read encrypted credential files; "
                "send username and password"
            )
        return text_response(await driver.login(username, password, client_address(request)))

    @r.put(
        "/session",
        response_class=PlainTextResponse,
        responses={200: {"description": "the session id, renewed or new"}, **errors(401, 429)},
    )
    async def login_or_renew(
        request: Request,
        sessionid: SessionId = None,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
    ) -> Response:
        if sessionid and driver.connected(sessionid):
            return text_response(sessionid)
        return text_response(await driver.login(username, password, client_address(request)))

    @r.get("/isconnected", response_model=bool, responses=errors(401))
    async def is_connected(sessionid: SessionId = None) -> Response:
        """true with a valid session; without one 401, as the real checkAccess answers."""
        if not driver.connected(sessionid):
            raise Unauthorized("sessionid: unknown or expired session")
        return json_response(True)

    @r.put("/disconnect", status_code=204, responses=errors(401))
    async def disconnect(sessionid: SessionId = None) -> Response:
        driver.logout(sessionid)
        return no_content()

    # --- listing jobs --------------------------------------------------------------
    @r.get("/jobs", response_model=m.RestPageOfStrings, responses=errors(401))
    async def jobs(sessionid: SessionId = None, index: Index = -1, limit: Limit = -1) -> Response:
        return json_response(
            await call(Platform.list_job_ids, session_id=sessionid, index=index, limit=limit)
        )

    @r.get("/jobsinfo", response_model=m.RestPageOfUserJobData, responses=errors(401))
    async def jobs_info(
        sessionid: SessionId = None, index: Index = -1, limit: Limit = -1
    ) -> Response:
        return json_response(
            await call(Platform.jobs_info, session_id=sessionid, index=index, limit=limit)
        )

    @r.get("/revisionjobsinfo", response_model=m.RestMapPageOfJobs, responses=errors(401))
    async def revision_jobs_info(
        sessionid: SessionId = None,
        index: Index = -1,
        limit: Limit = -1,
        myjobs: bool = False,
        pending: bool = True,
        running: bool = True,
        finished: bool = True,
        jobName: str = "",
        projectName: str = "",
        userName: str = "",
        parentId: int = -1,
    ) -> Response:
        return json_response(
            await call(
                Platform.revision_jobs_info,
                session_id=sessionid,
                index=index,
                limit=limit,
                myjobs=myjobs,
                pending=pending,
                running=running,
                finished=finished,
                job_name=jobName,
                project_name=projectName,
                user_name=userName,
                parent_id=parentId,
            )
        )

    @r.get("/jobsinfolist", response_model=list[m.UserJobData], responses=errors(401))
    async def jobs_info_list(
        sessionid: SessionId = None, jobsid: Annotated[list[str] | None, Query()] = None
    ) -> Response:
        return json_response(
            await call(Platform.jobs_info_list, session_id=sessionid, job_ids=jobsid or [])
        )

    @r.put("/jobs/kill", response_model=bool, responses=errors(401, 403, 404))
    async def kill_jobs(
        sessionid: SessionId = None, jobsid: Annotated[list[str] | None, Query()] = None
    ) -> Response:
        return json_response(
            await call(Platform.kill_jobs, session_id=sessionid, job_ids=jobsid or [])
        )

    @r.delete("/jobs", response_model=bool, responses=errors(401, 403, 404))
    async def remove_jobs(
        sessionid: SessionId = None,
        jobsid: Annotated[list[str] | None, Query()] = None,
        olderThan: int = 0,
    ) -> Response:
        return json_response(
            await call(
                Platform.remove_jobs,
                session_id=sessionid,
                job_ids=jobsid or [],
                older_than=olderThan,
            )
        )

    @r.get("/state/revision", response_model=int, responses=errors(401))
    async def state_revision(sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.state_revision, session_id=sessionid))

    # --- one job -------------------------------------------------------------------
    job_errors = errors(401, 403, 404)

    @r.get("/jobs/{job_id}", response_model=m.JobStateData, responses=job_errors)
    async def get_job(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.get_job, session_id=sessionid, job_id=job_id))

    @r.get(
        "/jobs/{job_id}/xml",
        response_class=PlainTextResponse,
        responses={200: {"content": {"application/xml": {}}}, **job_errors},
    )
    async def job_xml(job_id: int, sessionid: SessionId = None) -> Response:
        xml = await call(Platform.job_xml, session_id=sessionid, job_id=job_id)
        return Response(content=xml.encode("utf-8"), media_type="application/xml")

    @r.get("/jobs/{job_id}/info", response_model=m.JobInfoData, responses=job_errors)
    async def job_info(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.job_info, session_id=sessionid, job_id=job_id))

    @r.get("/jobs/{job_id}/tasks", response_model=m.RestPageOfStrings, responses=job_errors)
    async def task_names(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.task_names, session_id=sessionid, job_id=job_id))

    @r.get(
        "/jobs/{job_id}/tasks/paginated", response_model=m.RestPageOfStrings, responses=job_errors
    )
    async def task_names_paginated(
        job_id: int, sessionid: SessionId = None, offset: Offset = 0, limit: Limit = -1
    ) -> Response:
        return json_response(
            await call(
                Platform.task_names,
                session_id=sessionid,
                job_id=job_id,
                offset=offset,
                limit=limit,
            )
        )

    @r.get(
        "/jobs/{job_id}/taskstates", response_model=m.RestPageOfTaskStateData, responses=job_errors
    )
    async def task_states(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.task_states, session_id=sessionid, job_id=job_id))

    @r.get(
        "/jobs/{job_id}/taskstates/paginated",
        response_model=m.RestPageOfTaskStateData,
        responses=job_errors,
    )
    async def task_states_paginated(
        job_id: int, sessionid: SessionId = None, offset: Offset = 0, limit: Limit = 50
    ) -> Response:
        return json_response(
            await call(
                Platform.task_states,
                session_id=sessionid,
                job_id=job_id,
                offset=offset,
                limit=limit,
            )
        )

    @r.get("/jobs/{job_id}/tasks/{task_name}", response_model=m.TaskStateData, responses=job_errors)
    async def task_state(job_id: int, task_name: str, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(
                Platform.task_state, session_id=sessionid, job_id=job_id, task_name=task_name
            )
        )

    @r.get("/jobs/{job_id}/result", response_model=m.JobResultData, responses=job_errors)
    async def job_result(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.get_job_result, session_id=sessionid, job_id=job_id)
        )

    @r.get(
        "/jobs/{job_id}/result/value",
        response_model=dict[str, str | None],
        responses=job_errors,
    )
    async def job_result_value(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.job_result_value, session_id=sessionid, job_id=job_id)
        )

    @r.get(
        "/jobs/{job_id}/tasks/{task_name}/result",
        response_model=m.TaskResultData,
        responses=job_errors,
    )
    async def task_result(job_id: int, task_name: str, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(
                Platform.task_result, session_id=sessionid, job_id=job_id, task_name=task_name
            )
        )

    @r.get(
        "/jobs/{job_id}/tasks/{task_name}/result/value",
        response_class=PlainTextResponse,
        responses={204: {"description": "the task returned no value"}, **job_errors},
    )
    async def task_result_value(
        job_id: int, task_name: str, sessionid: SessionId = None
    ) -> Response:
        value = await call(
            Platform.task_result_value, session_id=sessionid, job_id=job_id, task_name=task_name
        )
        return no_content() if value is None else text_response(value)

    @r.get("/jobs/{job_id}/log/full", response_class=PlainTextResponse, responses=job_errors)
    async def job_log(job_id: int, sessionid: SessionId = None) -> Response:
        return text_response(await call(Platform.job_log, session_id=sessionid, job_id=job_id))

    # The simulator's tasks write only to stdout: the whole log and stdout are one text
    # (`name` keeps each route's own operation id and summary; the nearest decorator
    # registers first, so /all keeps its place before /out).
    @r.get(
        "/jobs/{job_id}/tasks/{task_name}/result/log/out",
        response_class=PlainTextResponse,
        responses=job_errors,
        name="task_log_out",
    )
    @r.get(
        "/jobs/{job_id}/tasks/{task_name}/result/log/all",
        response_class=PlainTextResponse,
        responses=job_errors,
    )
    async def task_log(job_id: int, task_name: str, sessionid: SessionId = None) -> Response:
        return text_response(
            await call(Platform.task_log, session_id=sessionid, job_id=job_id, task_name=task_name)
        )

    @r.get(
        "/jobs/{job_id}/tasks/{task_name}/result/log/err",
        response_class=PlainTextResponse,
        responses=job_errors,
    )
    async def task_log_err(job_id: int, task_name: str, sessionid: SessionId = None) -> Response:
        """The simulator's tasks write nothing to stderr: empty, once the task exists."""
        await call(Platform.task_state, session_id=sessionid, job_id=job_id, task_name=task_name)
        return text_response("")

    # --- acting on a job -----------------------------------------------------------
    act_errors = errors(401, 403, 404, 409)

    @r.put("/jobs/{job_id}/kill", response_model=bool, responses=act_errors)
    async def kill_job(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.kill_job, session_id=sessionid, job_id=job_id))

    @r.put("/jobs/{job_id}/pause", response_model=bool, responses=act_errors)
    async def pause_job(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.pause_job, session_id=sessionid, job_id=job_id))

    @r.put("/jobs/{job_id}/resume", response_model=bool, responses=act_errors)
    async def resume_job(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.resume_job, session_id=sessionid, job_id=job_id))

    @r.delete("/jobs/{job_id}", response_model=bool, responses=act_errors)
    async def remove_job(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.remove_job, session_id=sessionid, job_id=job_id))

    @r.put("/jobs/{job_id}/priority/byname/{name}", status_code=204, responses=act_errors)
    async def change_priority(job_id: int, name: str, sessionid: SessionId = None) -> Response:
        await call(Platform.change_job_priority, session_id=sessionid, job_id=job_id, name=name)
        return no_content()

    @r.put("/jobs/{job_id}/priority/byvalue/{value}", status_code=204, responses=act_errors)
    async def change_priority_by_value(
        job_id: int, value: str, sessionid: SessionId = None
    ) -> Response:
        await call(
            Platform.change_job_priority_by_value, session_id=sessionid, job_id=job_id, value=value
        )
        return no_content()

    @r.post(
        "/job/{job_id}/signals",
        response_model=list[str],
        responses=act_errors,
        openapi_extra={
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "additionalProperties": {"type": "string"}}
                    }
                },
            }
        },
    )
    async def add_signal(
        job_id: int,
        request: Request,
        signal: Annotated[str, Query(description="the signal's name")] = "",
        sessionid: SessionId = None,
    ) -> Response:
        """The job's signals after this one (addJobSignal / addJobSignalWithVariables);
        a JSON body gives the signal's variables."""
        variables = await _json_map(request, "body")
        return json_response(
            await call(
                Platform.add_job_signal,
                session_id=sessionid,
                job_id=job_id,
                signal=signal,
                variables=variables,
            )
        )

    # --- submitting ----------------------------------------------------------------
    @r.post(
        "/submit",
        response_model=m.JobIdData,
        responses=errors(401, 403, 404, 409),
        openapi_extra=JOB_BODY,
    )
    async def submit(request: Request, sessionid: SessionId = None) -> Response:
        """A job descriptor in a multipart body; variables as matrix parameters
        (`/submit;NAME=value`) or a `variables` part; query parameters are generic
        information."""
        xml, variables = await _job_parts(request)
        return json_response(
            await call(
                Platform.submit_job,
                session_id=sessionid,
                xml=xml,
                variables=variables,
                generic_info=dict(request.query_params),
            )
        )

    @r.post("/jobs", response_model=m.JobIdData, responses=errors(401, 403, 404, 409))
    async def submit_from_url(
        request: Request, link: Link, sessionid: SessionId = None
    ) -> Response:
        """The workflow at `link` (this server's catalog), variables as matrix parameters."""
        return json_response(
            await call(
                Platform.submit_from_url,
                session_id=sessionid,
                link=link,
                variables=_matrix(request),
                generic_info=dict(request.query_params),
            )
        )

    @r.post(
        "/validate",
        response_model=m.JobValidationData,
        responses=errors(401),
        openapi_extra=JOB_BODY,
    )
    async def validate(request: Request, sessionid: SessionId = None) -> Response:
        """JobValidationData: `valid` false with the reason for a bad job or variable."""
        xml, variables = await _job_parts(request)
        return json_response(
            await call(Platform.validate_job, session_id=sessionid, xml=xml, variables=variables)
        )


def _matrix(request: Request) -> dict[str, str]:
    return dict(request.scope.get("state", {}).get("matrix", {}))


async def _job_parts(request: Request) -> tuple[str, dict[str, str]]:
    """The job descriptor and the variables of a submission (SchedulerStateRest.submit) -> Response:
    a `variables` part (JSON map) over the matrix parameters, the first other part the
    XML, whose content type must say XML."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("body: a multipart/form-data body holding the job XML is required")
    form = await request.form()
    variables = _matrix(request)
    xml_part = None
    for name, value in form.multi_items():
        if name == VARIABLES_PART:
            text = value if isinstance(value, str) else (await value.read()).decode("utf-8")
            variables.update(_parse_map(text, VARIABLES_PART))
        elif xml_part is None:
            xml_part = (name, value)
    if xml_part is None:
        raise InvalidInput("body: no part holds the job descriptor")
    name, value = xml_part
    if not isinstance(value, StarletteUpload):
        raise InvalidInput(f"{name}: the job descriptor must be a file part (application/xml)")
    kind = (value.content_type or "text/plain").lower()
    if not any(t in kind for t in XML_TYPES):
        raise InvalidInput(f"{name}: Unknown job descriptor type: {kind} (send application/xml)")
    data = await value.read()
    try:
        return data.decode("utf-8"), variables
    except UnicodeDecodeError:
        raise InvalidInput(f"{name}: the job descriptor is not UTF-8 text") from None


async def _json_map(request: Request, field: str) -> dict[str, str] | None:
    body = await request.body()
    if not body.strip():
        return None
    return _parse_map(body.decode("utf-8", errors="replace"), field)


def _parse_map(text: str, field: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"{field}: malformed JSON ({exc})") from None
    if not isinstance(data, dict) or any(isinstance(v, (dict, list)) for v in data.values()):
        raise InvalidInput(f"{field}: {text[:80]!r} is not a map of variable names to values")
    return {str(k): _text(v) for k, v in data.items()}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
