# Early Help — the two commands that matter are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
# With DATABASE_URL unset: the private PostgreSQL server of earlyhelp.embedded_db (in $$VAR_DIR/pg, var/pg by
# default), started for the command and stopped when it ends (Ctrl-C included); the data is kept for next time.
# The command gets the owner's connection in OWNER_DATABASE_URL (migrations, demo seeding); the app itself
# connects as the application role, so row-level security applies. With DATABASE_URL set, that server is used.
WITH_DB := $(BIN)/python -m earlyhelp.embedded_db run --
AS_OWNER := env DATABASE_URL="$$OWNER_DATABASE_URL"

.PHONY: install demo demo-check test test-fast lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# The one-command demo: PostgreSQL (embedded unless DATABASE_URL is set), eager tasks, two fictional local
# authorities, served on http://127.0.0.1:8000.
demo: $(STAMP)
	@mkdir -p var
	env -u CELERY_BROKER_URL $(WITH_DB) sh -c '$(AS_OWNER) $(MANAGE) migrate --noinput --skip-checks && \
		$(AS_OWNER) $(MANAGE) seed_demo && \
		echo "Serving on http://$(HOST):$(PORT) — sign in with a username and password above (Ctrl-C stops)." && \
		exec $(MANAGE) runserver $(HOST):$(PORT)'

# The demo's install, migrate and seed on a fresh embedded cluster (or DATABASE_URL's database); then every demo
# user walks every page reachable from their home page, and demo reports are rendered (manage.py demo_check).
demo-check: $(STAMP)
	@VAR_DIR=$(CURDIR)/var/demo-check $(BIN)/python -m earlyhelp.embedded_db stop
	@rm -rf var/demo-check && mkdir -p var/demo-check
	env -u CELERY_BROKER_URL VAR_DIR=$(CURDIR)/var/demo-check $(WITH_DB) sh -c '\
		$(AS_OWNER) $(MANAGE) migrate --noinput --skip-checks -v0 && \
		$(AS_OWNER) $(MANAGE) seed_demo --password demo-check-passphrase >/dev/null && \
		$(MANAGE) demo_check --password demo-check-passphrase'

# The whole suite: on DATABASE_URL's server when set, else on a throwaway embedded cluster (conftest.py).
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
	@$(BIN)/python -m earlyhelp.embedded_db stop 2>/dev/null || true
	rm -rf var staticfiles .pytest_cache
