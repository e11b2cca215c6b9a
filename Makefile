# One command per task; CI (.ci/run) runs the README's test command, `make lint` and the docs check.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup test lint docs demo bench bench-latency screenshots
setup:
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -e '.[test,dev]'

test:
	$(VENV)/bin/pytest

lint:
	$(VENV)/bin/ruff check src tests benchmarks scripts && $(VENV)/bin/mypy

docs:
	$(PY) -m supportmetrics.metrics.reference > docs/metrics.md
	$(PY) -m supportmetrics.cli.reference > docs/cli.md
	$(PY) -m supportmetrics.schema.reference > docs/data.md

demo:
	$(VENV)/bin/supportmetrics demo ./demo

bench:
	$(PY) benchmarks/bench_ingest.py

# warm query / summary / report / CLI start-up latency on the demo workspace (benchmarks/RESULTS.md)
bench-latency:
	$(PY) benchmarks/bench_latency.py

# the dashboard's screenshots in docs/images/ (needs ./demo, `make demo`, and chromium)
screenshots:
	$(PY) scripts/dashboard_screenshots.py ./demo docs/images
