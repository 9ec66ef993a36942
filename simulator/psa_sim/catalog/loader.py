"""Loading workflow files from disk into a ServiceIndex."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from psa_sim.catalog.errors import CatalogError
from psa_sim.catalog.index import PREFERRED_BUCKET, ServiceIndex
from psa_sim.catalog.workflow import Workflow, parse_workflow_file

# The bucket real PSA servers keep their services in; bundled services go there too.
BUNDLED_BUCKET = PREFERRED_BUCKET


def bundled_catalog_dir() -> Path:
    """The services shipped with the simulator."""
    return Path(__file__).resolve().parent / "bundled"


def bundled_scripts_dir() -> Path:
    """Stand-ins of the service-automation script library, so that their /raw URLs
    resolve; the engine interprets the references, it never runs these files."""
    return bundled_catalog_dir() / "scripts"


def load_directory(path: str | PathLike[str]) -> list[Workflow]:
    """Every ``*.xml`` under ``path`` (recursively, sorted by path); the first bad file raises."""
    directory = Path(path)
    if not directory.is_dir():
        raise CatalogError(f"catalog directory not found: {str(path)!r}")
    return [parse_workflow_file(file) for file in xml_files_under(directory)]


def xml_files_under(directory: Path) -> list[Path]:
    """Every ``*.xml`` file under ``directory``, recursively, sorted by relative path."""
    files = sorted(directory.rglob("*.xml"), key=lambda f: f.relative_to(directory).as_posix())
    return [file for file in files if file.is_file()]


def load_catalog(
    path: str | PathLike[str] | None = None, bucket: str = BUNDLED_BUCKET
) -> ServiceIndex:
    """A ServiceIndex of the directory's workflows (the bundled ones when path is None).

    Each workflow goes to the bucket its `bucketName` generic information names (MLOps
    and FluidDynamics workflows name their own), else to `bucket`. Two files declaring
    the same workflow name in one bucket would silently shadow each other: refused.
    """
    workflows = load_directory(bundled_catalog_dir() if path is None else path)
    seen: dict[tuple[str, str], Workflow] = {}
    placed = []
    for workflow in workflows:
        target = workflow.bucket_or(bucket)
        earlier = seen.get((target, workflow.name))
        if earlier is not None:
            raise CatalogError(
                f"the workflow name is also used by {earlier.source}; names must be unique in bucket '{target}'",
                source=workflow.source,
                workflow=workflow.name,
            )
        seen[(target, workflow.name)] = workflow
        placed.append((target, workflow))
    return ServiceIndex(placed)


def index_of_files(
    paths: Iterable[str | PathLike[str]], bucket: str = BUNDLED_BUCKET
) -> ServiceIndex:
    """A ServiceIndex of these files, each in its bucketName bucket (else ``bucket``); a
    later file of the same workflow name replaces an earlier one (validation lists both)."""
    index = ServiceIndex()
    for path in paths:
        workflow = parse_workflow_file(path)
        index.add(workflow.bucket_or(bucket), workflow)
    return index
