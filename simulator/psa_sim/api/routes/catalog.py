"""The catalog service, /catalog (docs/wire-contract.md, section 3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, File, Query, UploadFile
from starlette.responses import Response

from psa_sim import defaults
from psa_sim.api.models import Bucket, CatalogObjectMetadata, CatalogObjects
from psa_sim.api.responses import json_response
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.platform import Platform

Kind = Annotated[str | None, Query(description="filter by kind prefix, e.g. workflow/psa")]
Upload = Annotated[UploadFile, File(description="the object's content (a job XML)")]
CommitMessage = Annotated[str | None, Query(alias="commitMessage")]
ContentType = Annotated[
    str | None, Query(alias="objectContentType", description="e.g. application/xml")
]
ProjectName = Annotated[str | None, Query(alias="projectName")]
Tags = Annotated[str | None, Query(description="comma-separated tags")]


def add_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/catalog", "catalog")
    call = driver.call

    @r.get("/buckets", response_model=list[Bucket], responses=errors(401))
    async def list_buckets(kind: Kind = None, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.list_buckets, session_id=sessionid, kind=kind))

    @r.post("/buckets", status_code=201, response_model=Bucket, responses=errors(401, 403, 409))
    async def create_bucket(
        name: Annotated[str, Query(description="bucket name")],
        owner: Annotated[str, Query()] = defaults.BUCKET_OWNER,
        sessionid: SessionId = None,
    ) -> Response:
        return json_response(
            await call(Platform.create_bucket, session_id=sessionid, name=name, owner=owner), 201
        )

    @r.get("/buckets/{bucket}", response_model=Bucket, responses=errors(401, 404))
    async def get_bucket(bucket: str, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.get_bucket, session_id=sessionid, name=bucket))

    @r.delete(
        "/buckets/{bucket}",
        response_model=Bucket,
        responses=errors(401, 404, 409),
        summary="Delete an empty bucket (a bucket holding objects is refused)",
    )
    async def delete_bucket(bucket: str, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.delete_bucket, session_id=sessionid, name=bucket))

    @r.get(
        "/buckets/{bucket}/resources",
        response_model=list[CatalogObjectMetadata],
        responses=errors(401, 404),
    )
    async def list_objects(
        bucket: str,
        kind: Kind = None,
        object_name: Annotated[str | None, Query(alias="objectName")] = None,
        sessionid: SessionId = None,
    ) -> Response:
        return json_response(
            await call(
                Platform.list_objects,
                session_id=sessionid,
                bucket=bucket,
                kind=kind,
                object_name=object_name,
            )
        )

    @r.post(
        "/buckets/{bucket}/resources",
        status_code=201,
        response_model=CatalogObjects,
        responses=errors(401, 403, 404, 409),
    )
    async def add_object(
        bucket: str,
        file: Upload,
        kind: Annotated[str, Query(description="e.g. workflow/psa")],
        name: Annotated[
            str | None, Query(description="object name (default: the job's name)")
        ] = None,
        commit_message: CommitMessage = None,
        content_type: ContentType = None,
        project_name: ProjectName = None,
        tags: Tags = None,
        sessionid: SessionId = None,
    ) -> Response:
        content = await file.read()
        return json_response(
            await call(
                Platform.add_object,
                session_id=sessionid,
                bucket=bucket,
                content=content,
                name=name,
                kind=kind,
                commit_message=commit_message,
                content_type=content_type,
                project_name=project_name,
                tags=tags,
            ),
            201,
        )

    @r.get(
        "/buckets/{bucket}/resources/{name}",
        response_model=CatalogObjectMetadata,
        responses=errors(401, 404),
    )
    async def get_object(bucket: str, name: str, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.get_object, session_id=sessionid, bucket=bucket, name=name)
        )

    @r.delete(
        "/buckets/{bucket}/resources/{name}",
        response_model=CatalogObjectMetadata,
        responses=errors(401, 403, 404),
    )
    async def delete_object(bucket: str, name: str, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.delete_object, session_id=sessionid, bucket=bucket, name=name)
        )

    @r.get(
        "/buckets/{bucket}/resources/{name}/raw",
        response_class=Response,
        responses={
            200: {"description": "the raw content (job XML)", "content": {"application/xml": {}}},
            **errors(401, 404),
        },
    )
    async def get_raw(bucket: str, name: str, sessionid: SessionId = None) -> Response:
        content, content_type = await call(
            Platform.get_raw, session_id=sessionid, bucket=bucket, name=name
        )
        return Response(content=content, media_type=content_type)

    @r.get(
        "/buckets/{bucket}/resources/{name}/revisions",
        response_model=list[CatalogObjectMetadata],
        responses=errors(401, 404),
        summary="Every revision's metadata, newest first",
    )
    async def list_revisions(bucket: str, name: str, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.list_revisions, session_id=sessionid, bucket=bucket, name=name)
        )

    @r.post(
        "/buckets/{bucket}/resources/{name}/revisions",
        status_code=201,
        response_model=CatalogObjectMetadata,
        responses=errors(401, 403, 404),
    )
    async def add_revision(
        bucket: str,
        name: str,
        file: Upload,
        commit_message: CommitMessage = None,
        content_type: ContentType = None,
        project_name: ProjectName = None,
        tags: Tags = None,
        sessionid: SessionId = None,
    ) -> Response:
        content = await file.read()
        return json_response(
            await call(
                Platform.add_revision,
                session_id=sessionid,
                bucket=bucket,
                name=name,
                content=content,
                commit_message=commit_message,
                content_type=content_type,
                project_name=project_name,
                tags=tags,
            ),
            201,
        )
