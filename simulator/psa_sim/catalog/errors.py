"""Errors of the workflow catalog.

A catalog error must let a user find the mistake without opening a debugger: it names the
file (when known), the workflow (when known) and the offending text.
"""

from __future__ import annotations

from psa_sim.errors import InvalidInput, NotFound


class CatalogError(InvalidInput):
    """A workflow file that cannot be used: unparsable XML, bad pca.states, missing name...

    ``str(e)`` reads ``"mongo.xml: workflow 'MongoDB': pca.states: unexpected text ..."``;
    the file and workflow parts appear only when known.
    """

    def __init__(self, message: str, *, source: str | None = None, workflow: str | None = None):
        self.message = message
        self.source = source
        self.workflow = workflow
        super().__init__(self._full_text())

    def _full_text(self) -> str:
        parts = []
        if self.source:
            parts.append(self.source)
        if self.workflow:
            parts.append(f"workflow '{self.workflow}'")
        parts.append(self.message)
        return ": ".join(parts)

    def __str__(self) -> str:
        return self._full_text()

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments are lost by the default Exception pickling; sweeps run
        # scenarios in worker processes, so errors must survive a round trip.
        return (_rebuild_catalog_error, (type(self), self.message, self.source, self.workflow))

    def in_context(self, *, source: str | None = None, workflow: str | None = None) -> CatalogError:
        """The same error with the file/workflow filled in where it did not know them yet."""
        return type(self)(
            self.message,
            source=self.source or source,
            workflow=self.workflow or workflow,
        )


def _rebuild_catalog_error(
    cls: type[CatalogError], message: str, source: str | None, workflow: str | None
) -> CatalogError:
    return cls(message, source=source, workflow=workflow)


class WorkflowNotFound(NotFound):
    """No workflow with that name (in that bucket / for that service)."""


class ServiceNotFound(NotFound):
    """No workflow of the catalog carries that pca.service.id."""
