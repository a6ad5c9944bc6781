# Safeguarding Panels. `make run` starts the demo; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers on the two-core machines this runs on; `make test PYTEST_WORKERS=0` runs in one.
PYTEST_WORKERS ?= 2

.PHONY: run test install migrate seed lint security format check-deploy benchmarks clean

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned dependencies from requirements.lock ..."
	@$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
	@$(PY) -c "import django, channels, guardian, daphne, reportlab" || (echo "Dependency install failed"; exit 1)
	@touch $@

install: $(VENV)/.installed

migrate: install
	@$(PY) manage.py migrate --no-input -v0

seed: migrate
	@$(PY) manage.py seed_demo --quiet-logins

run: migrate
	@$(PY) manage.py seed_demo
	@echo ""
	@echo "Safeguarding Panels is running at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	@$(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

test: install
	@$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

# bandit over the code; fails on a finding not accepted (with its reason) in .ci/bandit-baseline.json
security: install
	@$(PY) .ci/bandit.py

format: install
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

check-deploy: install
	@DJANGO_ENV=production SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") \
	  ALLOWED_HOSTS=panels.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .test-db.sqlite3*
