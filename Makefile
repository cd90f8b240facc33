# Early Help — the two commands that matter are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo demo-check test test-fast lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# The one-command demo: SQLite, eager tasks, two fictional local authorities, served on http://127.0.0.1:8000
demo: $(STAMP)
	@mkdir -p var
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT) — sign in with a username and password above (Ctrl-C stops)."
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The demo's install, migrate and seed on a fresh SQLite file, then signed-in requests through the test client.
demo-check: $(STAMP)
	@rm -rf var/demo-check && mkdir -p var/demo-check
	env -u CELERY_BROKER_URL DATABASE_URL=sqlite:///$(CURDIR)/var/demo-check/db.sqlite3 VAR_DIR=$(CURDIR)/var/demo-check \
		sh -c '$(BIN)/python manage.py migrate --noinput -v0 && \
		       $(BIN)/python manage.py seed_demo --password demo-check-passphrase >/dev/null && \
		       $(BIN)/python manage.py demo_check --password demo-check-passphrase'

# The whole suite: PostgreSQL when DATABASE_URL points at one or a local server answers, else SQLite
# (PostgreSQL-only tests are then reported as skipped with the reason).
test: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$status

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

# Against the national data set: DATABASE_URL=postgres://…/eh_national make bench (see docs/scaling.md).
bench: $(STAMP)
	cd bench && ../$(BIN)/python run.py

clean:
	rm -rf var staticfiles .pytest_cache
