"""Scale and latency measurements: programs that print figures."""
