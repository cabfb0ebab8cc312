# Developer tasks. `make test` is the whole suite (live tests start their own redis-server when it is
# installed); CI runs .ci/run, which installs redis-server and requires the live tests.
PY ?= .venv/bin/python
VENV_STAMP = .venv/.installed

.PHONY: install test test-fast lint typecheck fmt bench bench-startup wheel-check clean

$(VENV_STAMP): pyproject.toml
	python3 -m venv .venv
	.venv/bin/pip install -q -e '.[dev]'
	touch $(VENV_STAMP)

install: $(VENV_STAMP)

test: $(VENV_STAMP)
	$(PY) -m pytest

test-fast: $(VENV_STAMP)
	$(PY) -m pytest -m "not live and not cluster"

lint: $(VENV_STAMP)
	$(PY) -m ruff check redisprep tests scripts
	$(PY) -m ruff format --check redisprep tests scripts
	$(PY) -m mypy

typecheck: $(VENV_STAMP)
	$(PY) -m mypy

fmt: $(VENV_STAMP)
	$(PY) -m ruff format redisprep tests scripts
	$(PY) -m ruff check --fix redisprep tests scripts

# Figures, not assertions: start-up, drills (embedded and live), the quiz, explain's tracing
# overhead, a real server through `redisprep bench` (1M-member leaderboard), and the cluster.
bench: bench-startup
	$(PY) scripts/bench_drills.py --runs 3
	$(PY) scripts/bench_quiz.py
	$(PY) scripts/bench_tracing.py
	$(PY) scripts/bench_live.py --players 1000000
	$(PY) scripts/bench_cluster.py

bench-startup: $(VENV_STAMP)
	$(PY) scripts/bench_startup.py

wheel-check: $(VENV_STAMP)
	rm -rf dist /tmp/redisprep-wheel-venv
	$(PY) -m pip wheel -q --no-deps -w dist .
	python3 -m venv /tmp/redisprep-wheel-venv
	/tmp/redisprep-wheel-venv/bin/pip install -q dist/redisprep-*.whl
	cd /tmp && /tmp/redisprep-wheel-venv/bin/redisprep drill list
	cd /tmp && /tmp/redisprep-wheel-venv/bin/python -m redisprep drill leaderboard --json > /dev/null
	unzip -l dist/redisprep-*.whl | grep -c "_data/" 

clean:
	rm -rf dist build .pytest_cache .mypy_cache .ruff_cache
