"""The HTTP layer: routes that translate ProActive REST requests into platform calls.

Nothing here holds state or rules: handlers parse a request, await one call on the
driver (which owns the platform on its own thread) and format the answer as a real
ProActive server does (docs/wire-contract.md).
"""

from psa_sim.api.app import create_app

__all__ = ["create_app"]
