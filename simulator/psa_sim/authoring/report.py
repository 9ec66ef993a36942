"""What `psa-sim test-service` prints: a text coverage table, JSON, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from typing import Any

from psa_sim.authoring.explore import ServiceResult


def render_text(results: Sequence[ServiceResult]) -> str:
    lines: list[str] = []
    for result in results:
        verdict = "ok" if result.ok else f"FAILED ({len(result.failures)})"
        lines.append(f"service {result.service}: {verdict}, {result.paths} path(s) run")
        lines.append("  states:")
        for state, why in result.states.items():
            lines.append(f"    {'reached ' if not why else 'NOT     '} {state}" + _why(why))
        lines.append("  transitions:")
        for entry in result.transitions:
            mark = "covered " if entry.covered else "NOT     "
            lines.append(f"    {mark} {entry.label}" + _why(entry.why_not))
        if result.not_crashed:
            states = ", ".join(result.not_crashed)
            lines.append(f"  no running container to crash in: {states}")
        if result.needed:
            lines.append("  variables needed (required, no default):")
            lines.extend(f"    {name}" for name in result.needed)
        for failure in result.failures:
            lines.append(f"  FAIL {failure}")
    passed = sum(1 for r in results if r.ok)
    lines.append(f"{passed} of {len(results)} service(s) pass")
    return "\n".join(lines) + "\n"


def _why(why: str) -> str:
    return f": {why}" if why else ""


def to_json(results: Sequence[ServiceResult]) -> dict[str, Any]:
    return {
        "ok": all(r.ok for r in results),
        "services": [
            {
                "service": r.service,
                "ok": r.ok,
                "paths": r.paths,
                "states": [
                    {"state": s, "reached": not why, "why_not": why} for s, why in r.states.items()
                ],
                "transitions": [
                    {
                        "from": t.from_state,
                        "workflow": t.workflow,
                        "to": t.to_state,
                        "covered": t.covered,
                        "why_not": t.why_not,
                    }
                    for t in r.transitions
                ],
                "needed_variables": list(r.needed),
                "not_crashed": list(r.not_crashed),
                "failures": [
                    {
                        "check": f.check,
                        "state": f.state,
                        "transition": f.transition,
                        "expected": f.expected,
                        "happened": f.happened,
                    }
                    for f in r.failures
                ],
            }
            for r in results
        ],
    }


def to_junit(results: Sequence[ServiceResult]) -> str:
    """One test suite per service; a test case per transition (skipped when not covered
    for a reason already failed elsewhere) and one per failed check."""
    suites = ElementTree.Element("testsuites", name="psa-sim test-service")
    for result in results:
        suite = ElementTree.SubElement(suites, "testsuite", name=result.service)
        cases = 0
        for entry in result.transitions:
            case = ElementTree.SubElement(
                suite, "testcase", classname=result.service, name=f"transition {entry.label}"
            )
            cases += 1
            if not entry.covered:
                ElementTree.SubElement(case, "skipped", message=entry.why_not or "not covered")
        for failure in result.failures:
            where = failure.transition or f"state {failure.state}"
            case = ElementTree.SubElement(
                suite, "testcase", classname=result.service, name=f"{failure.check}: {where}"
            )
            cases += 1
            node = ElementTree.SubElement(
                case, "failure", message=f"expected {failure.expected}", type=failure.check
            )
            node.text = f"state {failure.state}: happened: {failure.happened}"
        suite.set("tests", str(cases))
        suite.set("failures", str(len(result.failures)))
        suite.set("skipped", str(sum(1 for t in result.transitions if not t.covered)))
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(suites, encoding="unicode")
        + "\n"
    )
