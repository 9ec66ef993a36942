"""The HTTP layer: routes that translate ProActive REST requests into platform calls.

Nothing here holds state or rules: handlers parse a request, await one call on the
driver (whose one coroutine, on the same event loop, runs the platform) and format the
answer as a real
ProActive server does (docs/wire-contract.md).
"""

from psa_sim.api.app import create_app

__all__ = ["create_app"]
