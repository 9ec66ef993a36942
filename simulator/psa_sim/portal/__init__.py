"""The Service Automation portal: static HTML, CSS and JavaScript modules, no build step.

The portal is one more client of the REST API (same login, same session header, same
errors); nothing here reads the simulation directly. The files live in ``static/`` and
ship as package data; ``psa_sim.api.routes.portal`` serves them.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR: Path = Path(__file__).parent / "static"
# Where the real automation dashboard lives on a ProActive server, and its PSA view.
BASE_PATH = "/automation-dashboard"
HOME = f"{BASE_PATH}/#/portal/service-automation"
