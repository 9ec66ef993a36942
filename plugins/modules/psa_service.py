#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: psa_service
short_description: Publish or remove the workflows of a ProActive Service Automation (PSA) service
version_added: "1.0.0"
description:
  - Publishes the workflows of one PSA service to a catalog bucket (O(state=present)), or
    removes them (O(state=absent)).
  - Every workflow is checked locally first - well-formed XML without DOCTYPE or ENTITY
    declarations, a ProActive C(<job>) with a name, the job-level generic information
    C(pca.service.id) (the same for all, and equal to O(service_id) when given) and a
    well-formed C(pca.states) (C((FROM,TO)) repeated). The error names the file and the
    offending text.
  - Idempotent - a workflow whose content equals the catalog's latest revision is left
    alone; a different one gets a new revision; a missing one becomes a new
    C(workflow/psa) object. A missing bucket is created.
author:
  - ProActive PSA collection contributors (@proactive-psa)
extends_documentation_fragment:
  - proactive.psa.connection
  - proactive.psa.wait_unused
  - proactive.psa.attributes
attributes:
  check_mode:
    support: full
    details: Validates the workflows and reports what would be published or removed.
  diff_mode:
    support: full
    details: Shows the XML of every workflow published, revised or removed.
options:
  service_id:
    description:
      - The service (C(pca.service.id)). When given, every workflow must belong to it.
      - With O(state=absent) and neither O(files) nor O(workflows), every workflow of this
        service in O(bucket) is removed.
    type: str
  bucket:
    description:
      - The catalog bucket.
    type: str
    default: service-automation
  bucket_owner:
    description:
      - Owner given to the bucket when the module creates it.
    type: str
    default: GROUP:public-objects
  files:
    description:
      - Paths of workflow XML files, on the host the module runs on.
    type: list
    elements: path
    default: []
  workflows:
    description:
      - Workflows given inline, as XML text (for example with C(lookup('file', ...)) or
        C(lookup('template', ...))).
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) publishes the workflows; V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  commit_message:
    description:
      - Commit message of the new objects and revisions.
    type: str
    default: Published with Ansible (proactive.psa.psa_service)
notes:
  - The catalog object name is the workflow's C(<job name=...>).
  - A catalog object of that name belonging to another service is never overwritten nor
    removed; the module fails instead.
seealso:
  - module: proactive.psa.psa_service_info
  - module: proactive.psa.psa_instance
"""

EXAMPLES = r"""
- name: Publish the Redis service (activation and finishing action)
  proactive.psa.psa_service:
    url: https://proactive.example.com:8443
    username: admin
    password: "{{ proactive_password }}"
    service_id: Redis
    files:
      - files/Redis.xml
      - files/Finish_Redis.xml

- name: Publish a workflow rendered from a template
  proactive.psa.psa_service:
    bucket: my-services
    workflows:
      - "{{ lookup('ansible.builtin.template', 'Redis.xml.j2') }}"

- name: Remove every workflow of the Redis service from the bucket
  proactive.psa.psa_service:
    service_id: Redis
    state: absent
"""

RETURN = r"""
service_id:
  description: The service.
  returned: always
  type: str
  sample: Redis
bucket:
  description: The bucket.
  returned: always
  type: str
  sample: service-automation
bucket_created:
  description: Whether the bucket was created (or would be, in check mode).
  returned: always
  type: bool
  sample: false
workflows:
  description:
    - What happened to each workflow given (or, when removing by O(service_id), each
      workflow of the service) - C(name); C(status), one of C(created), C(revised),
      C(unchanged), C(removed), C(absent); C(source), the file (or C(workflows[N])) it
      came from; C(pca_states) for the workflows published.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: Redis, status: created, pca_states: "(VOID,RUNNING)", source: files/Redis.xml}
    - {name: Finish_Redis, status: unchanged, pca_states: "(RUNNING,FINISHED)(ERROR,FINISHED)",
       source: files/Finish_Redis.xml}
graph:
  description:
    - The service's state graph in the bucket after the task, FROM state to
      {workflow - TO state}.
  returned: always
  type: dict
  sample: {VOID: {Redis: RUNNING}, RUNNING: {Finish_Redis: FINISHED}, ERROR: {Finish_Redis: FINISHED}}
url:
  description: The URL of the request to the server that failed.
  returned: when a request to the server failed
  type: str
  sample: https://proactive.example.com:8443/cloud-automation-service/serviceInstances
status:
  description: The HTTP status the server answered the failed request with (none when it could not be reached).
  returned: when a request to the server failed
  type: int
  sample: 409
server_message:
  description: What the server said about the failed request (its C(errorMessage), or the body).
  returned: when a request to the server failed
  type: str
  sample: "Action Pause_MongoDB is not executable in state PAUSED"
"""

import io

from ansible_collections.proactive.psa.plugins.module_utils import catalog
from ansible_collections.proactive.psa.plugins.module_utils.common import (
    PsaModule,
    PsaModuleError,
    argument_spec,
    run_module,
)
from ansible_collections.proactive.psa.plugins.module_utils.planner import StateGraph
from ansible_collections.proactive.psa.plugins.module_utils.workflow_xml import (
    WorkflowError,
    parse_service,
)


def read_sources(files, inline):
    """[(source, XML text)]: files first, then the inline workflows."""
    sources = []
    for path in files:
        try:
            with io.open(path, "rb") as handle:
                data = handle.read()
        except (IOError, OSError) as error:
            raise PsaModuleError("files: cannot read %s: %s" % (path, error))
        try:
            sources.append((path, data.decode("utf-8")))
        except UnicodeDecodeError as error:
            raise PsaModuleError("files: %s is not UTF-8 text: %s" % (path, error))
    for index, text in enumerate(inline):
        sources.append(("workflows[%d]" % index, text))
    return sources


def same_content(stored, wanted):
    """Equal once line endings and trailing blanks are set aside."""

    def normal(text):
        lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(line.rstrip() for line in lines).strip()

    return normal(stored) == normal(wanted)


class ServicePublisher:
    """Publishes or removes one service's workflows; ``run()`` returns the module result."""

    def __init__(self, client, params, check_mode):
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self.bucket = params["bucket"]
        self.diffs = []

    def run(self):
        params = self.params
        sources = read_sources(params["files"], params["workflows"])
        if params["state"] == "present" and not sources:
            raise PsaModuleError("files or workflows: give at least one workflow to publish")
        if params["state"] == "absent" and not sources and not params["service_id"]:
            raise PsaModuleError(
                "service_id (or files or workflows) is required to know what to remove"
            )
        try:
            local = parse_service(sources, params["service_id"]) if sources else []
        except WorkflowError as error:
            raise PsaModuleError(str(error))
        service_id = params["service_id"] or local[0].service_id
        bucket_exists = catalog.bucket_exists(self.client, self.bucket)
        stored = self._stored_graph(service_id) if bucket_exists else {}
        if params["state"] == "present":
            report, bucket_created = (
                self._publish(local, service_id, bucket_exists),
                not bucket_exists,
            )
            for workflow in local:
                stored[workflow.name] = workflow.transitions
        else:
            bucket_created = False
            names = [w.name for w in local] if local else sorted(stored)
            report = self._remove(names, service_id, bucket_exists, local)
            for name in names:
                stored.pop(name, None)
        changed = bucket_created or any(r["status"] not in ("unchanged", "absent") for r in report)
        result = {
            "changed": changed,
            "service_id": service_id,
            "bucket": self.bucket,
            "bucket_created": bucket_created,
            "workflows": report,
            "graph": StateGraph(stored).as_dict() if stored else {},
        }
        if self.diffs:
            result["diff"] = self.diffs
        return result

    def _stored_graph(self, service_id):
        """{workflow: transitions} of the service's workflows already in the bucket."""
        graph = {}
        for metadata in catalog.list_objects(self.client, self.bucket):
            workflow = catalog.CatalogWorkflow.from_metadata(metadata)
            if workflow is not None and workflow.service_id == service_id and not workflow.problem:
                graph[workflow.name] = workflow.transitions
        return graph

    def _existing(self, name, service_id):
        """The object's metadata, or None; fails if it belongs to another service."""
        metadata = catalog.get_object(self.client, self.bucket, name)
        if metadata is None:
            return None
        existing = catalog.CatalogWorkflow.from_metadata(metadata)
        owner = existing.service_id if existing is not None else None
        if owner != service_id:
            raise PsaModuleError(
                "catalog object %s/%s belongs to %s, not to service %s: it is left alone; "
                "rename the workflow or use another bucket"
                % (
                    self.bucket,
                    name,
                    "service %s" % owner
                    if owner
                    else "no PSA service (kind %s)" % metadata.get("kind"),
                    service_id,
                )
            )
        return metadata

    def _publish(self, local, service_id, bucket_exists):
        params = self.params
        if not bucket_exists and not self.check_mode:
            catalog.create_bucket(self.client, self.bucket, params["bucket_owner"])
        report = []
        for workflow in local:
            existing = self._existing(workflow.name, service_id) if bucket_exists else None
            if existing is None:
                status, before = "created", ""
            else:
                before = catalog.get_raw(self.client, self.bucket, workflow.name)
                status = "unchanged" if same_content(before, workflow.content) else "revised"
            if status != "unchanged":
                self._diff(workflow.name, before, workflow.content, status)
                if not self.check_mode:
                    publish = catalog.add_object if status == "created" else catalog.add_revision
                    publish(
                        self.client,
                        self.bucket,
                        workflow.name,
                        workflow.content,
                        params["commit_message"],
                    )
            report.append(
                {
                    "name": workflow.name,
                    "status": status,
                    "pca_states": workflow.pca_states,
                    "source": workflow.source,
                }
            )
        return report

    def _remove(self, names, service_id, bucket_exists, local):
        sources = {w.name: w.source for w in local}
        report = []
        for name in names:
            existing = self._existing(name, service_id) if bucket_exists else None
            entry = {"name": name, "status": "absent", "source": sources.get(name, "")}
            if existing is not None:
                entry["status"] = "removed"
                before = catalog.get_raw(self.client, self.bucket, name)
                self._diff(name, before, "", "removed")
                if not self.check_mode:
                    catalog.delete_object(self.client, self.bucket, name)
            report.append(entry)
        return report

    def _diff(self, name, before, after, status):
        label = "%s/%s" % (self.bucket, name)
        self.diffs.append(
            {
                "before_header": "%s (catalog)" % label if before else "%s (absent)" % label,
                "after_header": "%s (%s)" % (label, status),
                "before": before or "",
                "after": after or "",
            }
        )


def main():
    module = PsaModule(
        argument_spec=argument_spec(
            service_id=dict(type="str"),
            bucket=dict(type="str", default=catalog.DEFAULT_BUCKET),
            bucket_owner=dict(type="str", default=catalog.DEFAULT_OWNER),
            files=dict(type="list", elements="path", default=[]),
            workflows=dict(type="list", elements="str", default=[]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            commit_message=dict(
                type="str", default="Published with Ansible (proactive.psa.psa_service)"
            ),
        ),
        supports_check_mode=True,
    )
    run_module(
        module, lambda client: ServicePublisher(client, module.params, module.check_mode).run()
    )


if __name__ == "__main__":
    main()
