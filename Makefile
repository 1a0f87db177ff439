# The front door. `make run` and `make test` work on a fresh clone with Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: install lock lock-check run test lint format migrations-check check-deploy messages bench bench-chat clean

# Installs exactly the lock (requirements/dev.txt: versions and hashes), then the project itself without
# touching its dependencies. The lock must match pyproject.toml: after changing a pin there, `make lock`.
$(STAMP): pyproject.toml requirements/dev.txt
	$(PYTHON) requirements/check_lock.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

lock-check:
	$(PYTHON) requirements/check_lock.py

# Regenerates requirements/dev.txt (dependencies + dev + prod extras, build backend) and requirements/prod.txt
# (dependencies + prod, the same versions) from pyproject.toml, with hashes of every file PyPI has for each
# release. The machine's pip settings (local mirrors, find-links) are left out so the hashes are PyPI's.
# Keeps existing versions of unpinned transitive packages; `make lock LOCK_ARGS=--upgrade` moves them.
LOCK_ENV := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null
PIP_COMPILE := $(LOCK_ENV) $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--all-build-deps --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip-tools==$$($(PYTHON) requirements/check_lock.py --pin pip-tools)"
	$(PIP_COMPILE) --extra dev --extra prod -o requirements/dev.txt pyproject.toml
	$(PIP_COMPILE) --extra prod -c requirements/dev.txt -o requirements/prod.txt pyproject.toml
	$(PYTHON) requirements/check_lock.py

run: install
	DEBUG=True $(BIN)/python manage.py migrate --noinput
	DEBUG=True $(BIN)/python manage.py seed_demo
	@echo "HELLOPET! on http://127.0.0.1:$(PORT)  (demo logins: see README.md); task worker beside it"
	DEBUG=True SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py run_dev 127.0.0.1:$(PORT)

# The suite on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process). Workers are isolated:
# own test database, temporary folders, Redis key prefixes, and ports (HELLOPET_TEST_PORTS=21000-21999
# shares that range out among them; unset, any free port). docs/development.md has the figures.
TEST_WORKERS ?= auto
test: install lock-check
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	DEBUG=True $(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: install
	DEBUG=False SECRET_KEY=ci-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  ALLOWED_HOSTS=hellopet.example DATABASE_URL=sqlite:///var/check.sqlite3 \
	  MIDTRANS_SERVER_KEY=Mid-server-ci-check MIDTRANS_CLIENT_KEY=Mid-client-ci-check \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed.
messages: install
	DEBUG=True $(BIN)/python manage.py makemessages -l id --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete
	DEBUG=True $(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/chat.py

# The chat part alone: the app beside the Node.js peer (needs DATABASE_URL=postgres://..., REDIS_URL,
# node + npm; see bench/chat.py for BENCH_RATES, BENCH_SECONDS, BENCH_PORT, BENCH_DB, BENCH_PEER_DB).
bench-chat: install
	$(BIN)/python bench/chat.py

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-wal db.sqlite3-shm
