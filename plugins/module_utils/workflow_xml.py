# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Local checks of PSA workflow XML before it is published to the catalog.

A workflow is a ProActive job descriptor whose job-level generic information holds
``pca.service.id`` and ``pca.states``. DOCTYPE and ENTITY declarations are refused
before parsing: the catalog never needs them, and they are the door to entity expansion.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from xml.etree import ElementTree

from ansible_collections.proactive.psa.plugins.module_utils.planner import (
    StatesSyntaxError,
    parse_pca_states,
)

_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)\b", re.IGNORECASE)
_NAME_STOPS = re.compile(r"[/\\\s]")


class WorkflowError(ValueError):
    """An invalid workflow; the message names its source and the offending text."""


class Workflow:
    """What the collection needs of a workflow: its name, service, states, variables."""

    def __init__(
        self, source, content, name, service_id, pca_states, transitions, variables, models
    ):
        self.source = source
        self.content = content
        self.name = name
        self.service_id = service_id
        self.pca_states = pca_states
        self.transitions = transitions
        self.variables = variables
        self.models = models


def _local(tag):
    """Tag name without its namespace: ``{urn:proactive:jobdescriptor:3.14}job`` -> job."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element, name):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def parse_workflow(content, source):
    """Parse and check one workflow; raise WorkflowError naming ``source``."""
    if not isinstance(content, str):
        raise WorkflowError("%s: expected XML text, got %s" % (source, type(content).__name__))
    declaration = _DECLARATION.search(content)
    if declaration:
        line = content.count("\n", 0, declaration.start()) + 1
        raise WorkflowError(
            "%s: line %d: %r declarations are not allowed in a workflow"
            % (source, line, declaration.group(0))
        )
    try:
        # Expat reads the text only: no DTD, no external entity (refused above).
        root = ElementTree.fromstring(content.encode("utf-8"))
    except ElementTree.ParseError as error:
        raise WorkflowError("%s: not well-formed XML: %s" % (source, error))
    if _local(root.tag) != "job":
        raise WorkflowError(
            "%s: the root element is <%s>, expected a ProActive <job>" % (source, _local(root.tag))
        )
    name = (root.get("name") or "").strip()
    if not name or _NAME_STOPS.search(name):
        raise WorkflowError(
            "%s: <job name=%r>: a workflow needs a name without slashes or "
            "blanks (it becomes the catalog object name)" % (source, name)
        )
    generic = {}
    info_block = _child(root, "genericInformation")
    for info in info_block if info_block is not None else []:
        if _local(info.tag) == "info" and info.get("name"):
            generic[info.get("name")] = info.get("value") or ""
    service_id = generic.get("pca.service.id", "").strip()
    if not service_id:
        raise WorkflowError(
            "%s: workflow %s has no job-level generic information "
            'pca.service.id (<info name="pca.service.id" value="..."/>)' % (source, name)
        )
    if "pca.states" not in generic:
        raise WorkflowError(
            "%s: workflow %s has no job-level generic information pca.states "
            '(e.g. <info name="pca.states" value="(VOID,RUNNING)"/>)' % (source, name)
        )
    try:
        transitions = parse_pca_states(generic["pca.states"])
    except StatesSyntaxError as error:
        raise WorkflowError("%s: workflow %s: %s" % (source, name, error))
    variables, models = {}, {}
    variables_block = _child(root, "variables")
    for variable in variables_block if variables_block is not None else []:
        if _local(variable.tag) == "variable" and variable.get("name"):
            variables[variable.get("name")] = variable.get("value") or ""
            if variable.get("model"):
                models[variable.get("name")] = variable.get("model")
    return Workflow(
        source, content, name, service_id, generic["pca.states"], transitions, variables, models
    )


def parse_service(sources, service_id=None):
    """Parse workflows (``[(source, content)]``) that must all be of one service.

    Returns the workflows; raises WorkflowError naming every bad source.
    """
    workflows, problems = [], []
    for source, content in sources:
        try:
            workflows.append(parse_workflow(content, source))
        except WorkflowError as error:
            problems.append(str(error))
    if problems:
        raise WorkflowError("; ".join(problems))
    expected = service_id or (workflows[0].service_id if workflows else None)
    for workflow in workflows:
        if workflow.service_id != expected:
            what = (
                "service_id %r" % expected
                if service_id
                else ("the other workflows (%s)" % expected)
            )
            raise WorkflowError(
                "%s: workflow %s has pca.service.id %r, not %s: publish one "
                "service at a time" % (workflow.source, workflow.name, workflow.service_id, what)
            )
    seen = {}
    for workflow in workflows:
        if workflow.name in seen:
            raise WorkflowError(
                "%s and %s both define workflow %s"
                % (seen[workflow.name], workflow.source, workflow.name)
            )
        seen[workflow.name] = workflow.source
    return workflows
