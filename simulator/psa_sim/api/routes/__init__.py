"""One module per ProActive service: sessions, PSA, catalog, scheduler, RM, simulator."""
