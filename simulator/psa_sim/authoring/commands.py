"""The `new-service` and `test-service` commands of `psa-sim` (parsers and handlers)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from psa_sim.authoring.explore import explore_services
from psa_sim.authoring.report import render_text, to_json, to_junit
from psa_sim.authoring.scaffold import DEFAULT_BUCKET, PROTOCOLS, ServiceSpec, write_service
from psa_sim.catalog import (
    BUNDLED_BUCKET,
    CatalogError,
    ServiceIndex,
    Workflow,
    parse_workflow_file,
)
from psa_sim.catalog.loader import load_directory
from psa_sim.errors import InvalidInput

EXIT_FAILED = 1


def add_parsers(commands: Any) -> None:
    """Add both commands to `psa-sim`'s sub-parsers."""
    new = commands.add_parser(
        "new-service",
        help="write the workflows of a new container service (activation, finish, …)",
        description="Write a PSA service built as the tutorial builds one: the activation "
        "(the service-automation script library as pre, post, cleaning and loop scripts), "
        "its finish, and with --pause-resume its pause and resume actions.",
    )
    new.add_argument("name", metavar="NAME", help="service id and activation workflow name")
    new.add_argument("--image", default="nginx:alpine", help="container image (nginx:alpine)")
    new.add_argument("--port", type=int, default=80, help="the port the container listens on (80)")
    new.add_argument(
        "--protocol", choices=PROTOCOLS, default="http", help="scheme of the endpoint (http)"
    )
    new.add_argument(
        "--proxyfied", action="store_true", help="reach the endpoint through the server's proxy"
    )
    new.add_argument(
        "--pause-resume", action="store_true", help="also write Pause_NAME and Resume_NAME"
    )
    new.add_argument(
        "--bucket", default=DEFAULT_BUCKET, help=f"catalog bucket (default {DEFAULT_BUCKET})"
    )
    new.add_argument("--out", metavar="DIR", default=".", help="folder to write into (.)")
    new.add_argument("--force", action="store_true", help="overwrite existing files")

    test = commands.add_parser(
        "test-service",
        help="drive services through their whole state graph in the simulator",
        description="For each service of the given workflow files or folders: cover every "
        "state and transition, reach FINISHED from every state, crash the container in "
        "every steady state, check that nothing is left behind. Exit status: 0 every "
        "check holds; 1 some check failed (each named); 2 unusable input.",
    )
    test.add_argument("paths", nargs="+", metavar="PATH", help="workflow XML files or folders")
    test.add_argument(
        "--catalog",
        metavar="DIR",
        help="other workflows the services depend on (not tested themselves)",
    )
    test.add_argument("--json", action="store_true", help="print JSON")
    test.add_argument("--junit", metavar="FILE", help="also write JUnit XML there")


def new_service(args: argparse.Namespace) -> int:
    spec = ServiceSpec(
        name=args.name,
        image=args.image,
        port=args.port,
        protocol=args.protocol,
        proxyfied=args.proxyfied,
        pause_resume=args.pause_resume,
        bucket=args.bucket,
    )
    for path in write_service(spec, args.out, force=args.force):
        print(path)
    return 0


def test_service(args: argparse.Namespace) -> int:
    index, service_ids = _index_of(args.paths, args.catalog)
    results = explore_services(index, service_ids)
    if args.junit:
        try:
            Path(args.junit).write_text(to_junit(results), encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"--junit: cannot write {args.junit!r}: {exc.strerror}") from None
    if args.json:
        print(json.dumps(to_json(results), indent=2))
    else:
        print(render_text(results), end="")
    return 0 if all(r.ok for r in results) else EXIT_FAILED


def _index_of(paths: list[str], catalog: str | None) -> tuple[ServiceIndex, list[str]]:
    """The tested workflows over the catalog's (same bucket and name: the tested one
    wins), and the services the tested files declare."""
    index = ServiceIndex()
    if catalog is not None:
        for workflow in load_directory(catalog):
            index.add(workflow.bucket_or(BUNDLED_BUCKET), workflow)
    seen: dict[tuple[str, str], str] = {}
    services: set[str] = set()
    for path in paths:
        for workflow in _workflows_at(path):
            key = (workflow.bucket_or(BUNDLED_BUCKET), workflow.name)
            if key in seen:
                raise CatalogError(
                    f"workflow '{workflow.name}' is also in {seen[key]}; names must be "
                    f"unique in bucket '{key[0]}'",
                    source=workflow.source,
                )
            seen[key] = workflow.source or path
            index.add(key[0], workflow)
            if workflow.service_id and workflow.transitions:
                services.add(workflow.service_id.strip())
    if not services:
        raise InvalidInput(
            f"paths: no PSA service in {', '.join(paths)} (no workflow with pca.service.id "
            f"and pca.states)"
        )
    return index, sorted(services)


def _workflows_at(path: str) -> list[Workflow]:
    target = Path(path)
    if target.is_dir():
        return list(load_directory(target))
    if not target.is_file():
        raise InvalidInput(f"paths: {path!r} is neither a workflow file nor a folder")
    return [parse_workflow_file(target)]
