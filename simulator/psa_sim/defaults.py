"""The defaults a server and a load test share, each in one place with one value."""

from __future__ import annotations

# The owner the real catalog gives a bucket when none is named (catalog sources,
# service/BucketService.java), and so the owner of the preloaded bucket.
BUCKET_OWNER = "GROUP:public-objects"
# The node source of a served simulator, and how many nodes it has.
NODE_SOURCE = "LocalNodes"
NODES = 4
# config/pca_services_port_range of a real server: the ports services are given.
PORT_RANGE = (9000, 9999)
# Seconds between two health checks of a running instance's activation loop.
HEALTH_PERIOD = 60.0
# Where `psa-sim serve` listens unless told otherwise.
HOST = "127.0.0.1"
PORT = 8080
# The base of proxyfied endpoint URLs: `psa-sim serve`'s default address, so a headless
# run and a served simulator hand out the same URLs.
PUBLIC_BASE = f"http://{HOST}:{PORT}"
