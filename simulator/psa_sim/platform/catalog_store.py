"""The catalog service's state: buckets, objects and their revisions (``/catalog``).

Deterministic: nothing here reads the clock; callers pass ``now_ms`` (epoch milliseconds)
for every commit. Listings are sorted. The store shares one ``ServiceIndex`` with the
simulation: every object whose kind starts with ``workflow`` (case-insensitive) is parsed
at upload and put in the index under (bucket, object name), its latest revision winning;
deleting the object removes it from the index.

Metadata dicts are computed once per revision and cached (PSA clients list a bucket's
resources on every discovery). They are shared: callers must treat them as read-only.
``generation`` grows on every change, so an HTTP layer may also cache serialized answers.

What the real catalog does and where each fact was confirmed: docs/catalog-service.md.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from os import PathLike
from pathlib import Path

from psa_sim import defaults
from psa_sim.catalog.errors import CatalogError, WorkflowNotFound
from psa_sim.catalog.index import ServiceIndex
from psa_sim.catalog.workflow import Workflow, parse_workflow
from psa_sim.errors import Conflict, InvalidInput, NotFound

PSA_WORKFLOW_KIND = "workflow/psa"

GROUP_PREFIX = "GROUP:"
PRELOAD_COMMIT_MESSAGE = "preloaded"
WORKFLOW_CONTENT_TYPE = "application/xml"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# The service-automation script library, as the public examples publish it.
SCRIPT_KIND = "Script/task"
SCRIPT_CONTENT_TYPE = "text/x-groovy"
SCRIPT_PROJECT = "9. Scripts"

JOB_INFORMATION = "job_information"
GENERIC_INFORMATION = "generic_information"
VARIABLE = "variable"
VARIABLE_MODEL = "variable_model"
VARIABLE_DESCRIPTION = "variable_description"
VARIABLE_GROUP = "variable_group"
VARIABLE_ADVANCED = "variable_advanced"
VARIABLE_HIDDEN = "variable_hidden"
GENERAL = "General"

_BUCKET_NAME = re.compile(r"[a-z][a-z0-9-]{1,61}[a-z0-9]")
# Java's \s is ASCII whitespace only; spelled out so Unicode spaces count as name characters.
_OBJECT_NAME = re.compile(r"[^ \t\n\x0b\f\r/,]+(?:[ \t\n\x0b\f\r]+[^ \t\n\x0b\f\r/,]+)*")
# The real pattern ^([a-zA-Z0-9-_.]{1,61}/?)+$ accepts exactly this (written without
# nested repetition, so a long bad kind cannot make the regex engine backtrack).
_KIND = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*/?")

_EXTENSIONS = {
    "application/xml": "xml",
    "text/xml": "xml",
    "application/json": "json",
    "text/plain": "txt",
    "text/x-python": "py",
    "application/x-python": "py",
    "text/x-groovy": "groovy",
    "application/x-sh": "sh",
    "text/x-sh": "sh",
    "application/zip": "zip",
    "application/pdf": "pdf",
    "text/csv": "csv",
    "text/html": "html",
}

_EPOCH = datetime(1970, 1, 1)


def is_workflow_kind(kind: str) -> bool:
    return kind.lower().startswith("workflow")


def format_commit_time(epoch_ms: int) -> str:
    """The real ``commit_time``: ISO local date-time, ``.fff`` trimmed, omitted if zero (UTC here)."""
    moment = _EPOCH + timedelta(milliseconds=epoch_ms)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = epoch_ms % 1000
    if millis:
        text += "." + f"{millis:03d}".rstrip("0")
    return text


def _kv(label: str, key: str, value: str) -> dict:
    return {"label": label, "key": key, "value": value}


def workflow_key_values(workflow: Workflow, bucket: str, owner: str) -> list[dict]:
    """``object_key_values`` of a workflow revision, in the real catalog's order."""
    items: list[dict] = []
    if workflow.project_name:
        items.append(_kv(JOB_INFORMATION, "project_name", workflow.project_name))
    items.append(_kv(JOB_INFORMATION, "name", workflow.name))
    for key, value in workflow.generic_info.items():
        if key not in ("group", "bucketName"):
            items.append(_kv(GENERIC_INFORMATION, key, value))
    for variable in workflow.variables:
        items.append(_kv(VARIABLE, variable.name, variable.value))
        if variable.model.raw:
            items.append(_kv(VARIABLE_MODEL, variable.name, variable.model.raw))
        if variable.description:
            items.append(_kv(VARIABLE_DESCRIPTION, variable.name, variable.description))
        if variable.group:
            items.append(_kv(VARIABLE_GROUP, variable.name, variable.group))
        items.append(
            _kv(VARIABLE_ADVANCED, variable.name, "true" if variable.advanced else "false")
        )
        items.append(_kv(VARIABLE_HIDDEN, variable.name, "true" if variable.hidden else "false"))
    if workflow.description:
        items.append(_kv(GENERAL, "description", workflow.description))
    group = owner[len(GROUP_PREFIX) :] if owner.startswith(GROUP_PREFIX) else owner
    items.append(_kv(GENERIC_INFORMATION, "group", group))
    items.append(_kv(GENERIC_INFORMATION, "bucketName", bucket))
    return items


def variables_order(key_values: list[dict]) -> dict[str, dict[str, dict]]:
    """``{group: {name: JobVariable}}`` built from the key values as the real catalog does."""
    by_name: dict[str, dict[str, str]] = {}
    names: list[str] = []
    group_of: dict[str, str] = {}
    for item in key_values:
        label, key, value = item["label"], item["key"], item["value"]
        if label == VARIABLE:
            if key not in by_name:
                names.append(key)
            by_name.setdefault(key, {}).setdefault(VARIABLE, value)
        elif label in (VARIABLE_MODEL, VARIABLE_DESCRIPTION, VARIABLE_ADVANCED, VARIABLE_HIDDEN):
            by_name.setdefault(key, {}).setdefault(label, value)
        elif label == VARIABLE_GROUP and value:
            group_of.setdefault(key, value)

    def job_variable(name: str, group: str) -> dict:
        attributes = by_name.get(name, {})
        return {
            "name": name,
            "value": attributes.get(VARIABLE),
            "model": attributes.get(VARIABLE_MODEL),
            "description": attributes.get(VARIABLE_DESCRIPTION),
            "group": group,
            "advanced": attributes.get(VARIABLE_ADVANCED, "").lower() == "true",
            "hidden": attributes.get(VARIABLE_HIDDEN, "").lower() == "true",
        }

    order: dict[str, dict[str, dict]] = {}
    ungrouped = {name: job_variable(name, "") for name in names if name not in group_of}
    if ungrouped:
        order[""] = ungrouped
    for name, group in group_of.items():
        order.setdefault(group, {})[name] = job_variable(name, group)
    return order


@dataclass(frozen=True)
class _Commit:
    """What a client (or the preloading) commits: one revision's content and details."""

    content: bytes
    workflow: Workflow | None  # parsed from the content when the kind is a workflow
    message: str = ""
    content_type: str = ""  # "": from the kind
    project_name: str | None = None  # None: the workflow's own
    tags: str | None = None
    username: str = ""


@dataclass(frozen=True)
class _Revision:
    content: bytes
    content_type: str
    commit_time: int
    workflow: Workflow | None
    metadata: dict  # cached, read-only


@dataclass
class _Object:
    name: str
    kind: str
    revisions: list[_Revision] = field(default_factory=list)  # oldest first

    @property
    def latest(self) -> _Revision:
        return self.revisions[-1]


@dataclass
class _Bucket:
    name: str
    owner: str
    objects: dict[str, _Object] = field(default_factory=dict)
    # Cached listing of the latest revisions' metadata, sorted by name; None when stale.
    listing: list[dict] | None = None


class CatalogStore:
    def __init__(self, index: ServiceIndex):
        self.index = index
        self._buckets: dict[str, _Bucket] = {}
        self._filtered: dict[tuple[str, str | None, str | None], list[dict]] = {}
        self.generation = 0

    # --- buckets ---------------------------------------------------------------------

    def create_bucket(self, name: str, owner: str = defaults.BUCKET_OWNER) -> dict:
        if not isinstance(name, str) or not _BUCKET_NAME.fullmatch(name):
            raise InvalidInput(
                f"name: bucket name {name!r} is not valid: it must be 3 to 63 characters long, "
                "made of lower-case letters, digits and dashes, start with a letter and not end with a dash"
            )
        if name in self._buckets:
            raise Conflict(f"name: bucket '{name}' already exists")
        bucket = _Bucket(name=name, owner=owner or defaults.BUCKET_OWNER)
        self._buckets[name] = bucket
        self._changed(bucket)
        return self._bucket_metadata(bucket, len(bucket.objects))

    def get_bucket(self, name: str) -> dict:
        bucket = self._bucket(name)
        return self._bucket_metadata(bucket, len(bucket.objects))

    def delete_bucket(self, name: str) -> dict:
        """Remove an empty bucket (the real catalog refuses to delete a non-empty one)."""
        bucket = self._bucket(name)
        if bucket.objects:
            raise Conflict(f"bucket '{name}' is not empty ({len(bucket.objects)} objects)")
        del self._buckets[name]
        self._changed(bucket)
        return self._bucket_metadata(bucket, 0)

    def list_buckets(self, kind: str | None = None, object_name: str | None = None) -> list[dict]:
        """Every bucket, sorted by name; with a filter, those holding a matching object and
        the empty ones (as the real query does), objectCount counting the matching objects."""
        result = []
        for name in sorted(self._buckets):
            bucket = self._buckets[name]
            if not kind and not object_name:
                result.append(self._bucket_metadata(bucket, len(bucket.objects)))
                continue
            matching = len(self._filter(bucket, kind, object_name))
            if matching or not bucket.objects:
                result.append(self._bucket_metadata(bucket, matching))
        return result

    @staticmethod
    def _bucket_metadata(bucket: _Bucket, count: int) -> dict:
        return {"owner": bucket.owner, "name": bucket.name, "objectCount": count}

    def _bucket(self, name: str) -> _Bucket:
        try:
            return self._buckets[name]
        except KeyError:
            raise NotFound(f"bucket '{name}' not found") from None

    # --- objects ---------------------------------------------------------------------

    def list_objects(
        self, bucket: str, kind: str | None = None, object_name: str | None = None
    ) -> list[dict]:
        """Metadata of every object's latest revision, sorted by name.

        ``kind``: case-insensitive prefix; ``object_name``: case-insensitive substring.
        """
        return list(self._filter(self._bucket(bucket), kind, object_name))

    def _filter(self, bucket: _Bucket, kind: str | None, object_name: str | None) -> list[dict]:
        if bucket.listing is None:
            bucket.listing = [
                bucket.objects[name].latest.metadata for name in sorted(bucket.objects)
            ]
        if not kind and not object_name:
            return bucket.listing
        cache_key = (bucket.name, (kind or "").lower() or None, (object_name or "").lower() or None)
        cached = self._filtered.get(cache_key)
        if cached is None:
            kind_prefix, name_part = cache_key[1] or "", cache_key[2] or ""
            cached = [
                metadata
                for metadata in bucket.listing
                if metadata["kind"].lower().startswith(kind_prefix)
                and name_part in metadata["name"].lower()
            ]
            self._filtered[cache_key] = cached
        return cached

    def add_object(
        self,
        bucket: str,
        content: bytes,
        *,
        name: str | None = None,
        kind: str,
        commit_message: str = "",
        content_type: str = "",
        project_name: str | None = None,
        tags: str | None = None,
        username: str = "",
        now_ms: int,
    ) -> dict:
        """A new object (201 ``{"object": [metadata]}``); Conflict if the name is taken."""
        target = self._bucket(bucket)
        kind = self._checked_kind(kind)
        content = self._as_bytes(content)
        workflow = self._parse(content, kind)
        if not name:
            if workflow is None:
                raise InvalidInput(f"name: required for an object of kind '{kind}'")
            name = workflow.name
        self._check_name(name)
        if name in target.objects:
            raise Conflict(
                f"name: object '{name}' already exists in bucket '{bucket}' (post a new revision instead)"
            )
        obj = _Object(name=name, kind=kind)
        commit = _Commit(
            content, workflow, commit_message, content_type, project_name, tags, username
        )
        revision = self._commit(target, obj, commit, now_ms)
        return {"object": [revision.metadata]}

    def add_revision(
        self,
        bucket: str,
        name: str,
        content: bytes,
        *,
        commit_message: str = "",
        content_type: str = "",
        project_name: str | None = None,
        tags: str | None = None,
        username: str = "",
        now_ms: int,
    ) -> dict:
        """A new revision of an existing object; it becomes the latest. Returns its metadata.

        For a workflow the object keeps its name even if the job name in the XML differs.
        """
        target = self._bucket(bucket)
        obj = self._object(target, name)
        content = self._as_bytes(content)
        workflow = self._parse(content, obj.kind)
        commit = _Commit(
            content, workflow, commit_message, content_type, project_name, tags, username
        )
        return self._commit(target, obj, commit, now_ms).metadata

    def get_metadata(self, bucket: str, name: str) -> dict:
        return self._object(self._bucket(bucket), name).latest.metadata

    def get_raw(self, bucket: str, name: str) -> tuple[bytes, str]:
        latest = self._object(self._bucket(bucket), name).latest
        return latest.content, latest.content_type

    def revisions(self, bucket: str, name: str) -> list[dict]:
        """Metadata of every revision, newest first."""
        obj = self._object(self._bucket(bucket), name)
        return [revision.metadata for revision in reversed(obj.revisions)]

    def delete_object(self, bucket: str, name: str) -> dict:
        """Remove the object and all its revisions; returns the latest revision's metadata."""
        target = self._bucket(bucket)
        obj = self._object(target, name)
        del target.objects[name]
        if obj.latest.workflow is not None:
            try:
                self.index.remove(bucket, name)
            except WorkflowNotFound:
                pass  # someone else already took it out of the shared index
        self._changed(target)
        return obj.latest.metadata

    def _object(self, bucket: _Bucket, name: str) -> _Object:
        try:
            return bucket.objects[name]
        except KeyError:
            raise NotFound(f"object '{name}' not found in bucket '{bucket.name}'") from None

    # --- preloading ------------------------------------------------------------------

    def preload_directory(
        self,
        path: str | PathLike[str],
        bucket: str,
        owner: str = defaults.BUCKET_OWNER,
        now_ms: int = 0,
    ) -> list[dict]:
        """Store every ``*.xml`` under ``path`` (sorted by relative path) as ``workflow/psa``.

        Each goes to the bucket its ``bucketName`` generic information names, else to
        ``bucket``; buckets are created if needed. An object that already exists gets a new revision;
        two files of one directory declaring the same workflow name are refused.
        """
        directory = Path(path)
        if not directory.is_dir():
            raise CatalogError(f"catalog directory not found: {str(path)!r}")
        files = sorted(
            (file for file in directory.rglob("*.xml") if file.is_file()),
            key=lambda file: file.relative_to(directory).as_posix(),
        )
        parsed: list[tuple[str, bytes, Workflow]] = []
        seen: dict[tuple[str, str], Path] = {}
        for file in files:
            content = file.read_bytes()
            workflow = parse_workflow(content, source=str(file))
            # A workflow naming its bucket (bucketName) goes there, as on a real server.
            bucket_name = workflow.bucket_or(bucket)
            if (bucket_name, workflow.name) in seen:
                raise CatalogError(
                    f"the workflow name is also used by {seen[(bucket_name, workflow.name)]}; "
                    f"names must be unique in bucket '{bucket_name}'",
                    source=str(file),
                    workflow=workflow.name,
                )
            if not _BUCKET_NAME.fullmatch(bucket_name):
                raise CatalogError(
                    f"bucketName '{bucket_name}' is not a valid bucket name",
                    source=str(file),
                    workflow=workflow.name,
                )
            self._check_name(workflow.name)
            seen[(bucket_name, workflow.name)] = file
            parsed.append((bucket_name, content, workflow))
        added = []
        for bucket_name, content, workflow in parsed:
            if bucket_name not in self._buckets:
                self.create_bucket(bucket_name, owner)
            target = self._buckets[bucket_name]
            obj = target.objects.get(workflow.name) or _Object(
                name=workflow.name, kind=PSA_WORKFLOW_KIND
            )
            commit = _Commit(content, workflow, PRELOAD_COMMIT_MESSAGE, WORKFLOW_CONTENT_TYPE)
            revision = self._commit(target, obj, commit, now_ms)
            added.append(revision.metadata)
        return added

    def preload_scripts(
        self, path: Path, bucket: str, owner: str = defaults.BUCKET_OWNER, now_ms: int = 0
    ) -> list[dict]:
        """Store every ``*.groovy`` of ``path`` as a ``Script/task`` object named by its
        stem, unless the bucket already holds that name (a catalog's own copy wins)."""
        if bucket not in self._buckets:
            self.create_bucket(bucket, owner)
        target = self._buckets[bucket]
        added = []
        for file in sorted(Path(path).glob("*.groovy")):
            if file.stem in target.objects:
                continue
            self._check_name(file.stem)
            obj = _Object(name=file.stem, kind=SCRIPT_KIND)
            commit = _Commit(
                file.read_bytes(),
                None,
                PRELOAD_COMMIT_MESSAGE,
                SCRIPT_CONTENT_TYPE,
                SCRIPT_PROJECT,
            )
            revision = self._commit(target, obj, commit, now_ms)
            added.append(revision.metadata)
        return added

    # --- internals -------------------------------------------------------------------

    def _commit(self, bucket: _Bucket, obj: _Object, commit: _Commit, now_ms: int) -> _Revision:
        if isinstance(now_ms, bool) or not isinstance(now_ms, int):
            raise InvalidInput(f"now_ms: expected epoch milliseconds as an int, got {now_ms!r}")
        # The real catalog identifies a revision by its commit time: keep them distinct.
        if obj.revisions and now_ms <= obj.latest.commit_time:
            now_ms = obj.latest.commit_time + 1
        workflow = commit.workflow
        content_type = commit.content_type or (
            WORKFLOW_CONTENT_TYPE if workflow is not None else DEFAULT_CONTENT_TYPE
        )
        if workflow is not None:
            # Key values describe the XML as uploaded (its own job name)...
            key_values = workflow_key_values(workflow, bucket.name, bucket.owner)
            extension = "xml"
            # ...while the index knows the workflow by its object name.
            if workflow.name != obj.name:
                workflow = dataclasses.replace(workflow, name=obj.name)
        else:
            key_values = []
            extension = _EXTENSIONS.get(content_type.split(";", 1)[0].strip().lower(), "")
        if commit.project_name:
            project = commit.project_name
        else:
            project = next((kv["value"] for kv in key_values if kv["key"] == "project_name"), "")
        metadata = {
            "bucket_name": bucket.name,
            "name": obj.name,
            "kind": obj.kind,
            "content_type": content_type,
            "extension": extension,
            "project_name": project,
            "tags": commit.tags or "",
            "commit_message": commit.message or "",
            "commit_time": format_commit_time(now_ms),
            "commit_time_raw": str(now_ms),
            "username": commit.username or "",
            "object_key_values": key_values,
            "variables_order": variables_order(key_values),
        }
        revision = _Revision(
            content=commit.content,
            content_type=content_type,
            commit_time=now_ms,
            workflow=workflow,
            metadata=metadata,
        )
        obj.revisions.append(revision)
        bucket.objects[obj.name] = obj
        if workflow is not None:
            self.index.add(bucket.name, workflow)
        self._changed(bucket)
        return revision

    def _changed(self, bucket: _Bucket) -> None:
        bucket.listing = None
        for key in [key for key in self._filtered if key[0] == bucket.name]:
            del self._filtered[key]
        self.generation += 1

    @staticmethod
    def _parse(content: bytes, kind: str) -> Workflow | None:
        if not is_workflow_kind(kind):
            return None
        try:
            return parse_workflow(content)
        except CatalogError as error:
            raise InvalidInput(f"file: {error}") from None

    @staticmethod
    def _checked_kind(kind: str | None) -> str:
        if not kind:
            raise InvalidInput("kind: required (PSA workflows use 'workflow/psa')")
        if not isinstance(kind, str) or not _KIND.fullmatch(kind):
            raise InvalidInput(
                f"kind: {kind!r} is not valid: letters, digits, '_', '.', '-' in parts separated by '/'"
            )
        return kind

    @staticmethod
    def _check_name(name: str) -> None:
        if not isinstance(name, str) or not _OBJECT_NAME.fullmatch(name):
            raise InvalidInput(
                f"name: object name {name!r} is not valid: it must not be empty, start or end with "
                "a blank, or contain '/' or ','"
            )

    @staticmethod
    def _as_bytes(content: object) -> bytes:
        if isinstance(content, str):
            return content.encode("utf-8")
        if isinstance(content, (bytes, bytearray, memoryview)):
            return bytes(content)
        raise InvalidInput(
            f"file: expected the file content as bytes, got {type(content).__name__}"
        )
