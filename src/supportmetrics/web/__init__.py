"""The dashboard and the HTTP API (`supportmetrics serve`)."""
