"""psa_sim: a SimPy discrete-event simulator of ProActive Service Automation (PSA)."""

__version__ = "0.1.0"
