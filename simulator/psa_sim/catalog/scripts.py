"""References from a task to a script of the catalog, as real PSA workflows write them.

Real workflows share a library of scripts kept in the `service-automation` bucket
(`Pre_Start_Service`, `Post_Start_Service`, `Clean_Start_Service`,
`Check_Instance_Status`, `Fetch_Logs`, `Pre_Trigger_Action`, `Post_Trigger_Action`,
`Clean_Trigger_Action`, …; ow2-proactive/proactive-examples, PcaScripts). A task names
one by its catalog URL, in a role (pre, post, cleaning, the task's own script, its
loop's control flow or its node selection), with optional `<arguments>`:

    <post><script><file language="groovy"
        url="${PA_CATALOG_REST_URL}/buckets/service-automation/resources/Post_Start_Service/raw">
      <arguments><argument value="mongodb"/></arguments></file></script></post>

This module only reads those references; the engine decides what each one does.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

PRE = "pre"
POST = "post"
CLEAN = "clean"
MAIN = "main"
FLOW = "flow"
SELECTION = "selection"

# Element of a <task> → the role of the scripts found under it.
_ROLE_OF = {
    "pre": PRE,
    "post": POST,
    "cleaning": CLEAN,
    "scriptExecutable": MAIN,
    "controlFlow": FLOW,
    "selection": SELECTION,
}
_CATALOG_URL = re.compile(r"/buckets/([^/]+)/resources/([^/?#]+)(?:/raw)?/?$")


@dataclass(frozen=True, slots=True)
class ScriptRef:
    """One task's use of a catalog script: its role, where it lives, its arguments."""

    role: str
    bucket: str
    name: str
    args: tuple[str, ...] = ()


def catalog_reference(url: str) -> tuple[str, str] | None:
    """(bucket, object name) of a catalog resource URL, or None for any other URL."""
    match = _CATALOG_URL.search(url.strip())
    return (match.group(1), match.group(2)) if match else None


def read_script_refs(task: ElementTree.Element) -> tuple[ScriptRef, ...]:
    """Every catalog script the task references, in document order (namespaces stripped)."""
    refs: list[ScriptRef] = []
    for child in task:
        role = _ROLE_OF.get(child.tag) if isinstance(child.tag, str) else None
        if role is None:
            continue
        for file in child.iter("file"):
            found = catalog_reference(file.get("url") or "")
            if found is None:
                continue
            args = tuple(a.get("value") or "" for a in file.iter("argument"))
            refs.append(ScriptRef(role, found[0], found[1], args))
    return tuple(refs)
