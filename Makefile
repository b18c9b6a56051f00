# Assistant ENT — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
STAMP   := $(VENV)/.installed
MODEL   := models/assistant.tar.gz

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export ACTIONS_PORT ?= 5055
export PYTHONWARNINGS ?= ignore::DeprecationWarning

.PHONY: help setup portal-deps train run shell test lint typecheck validate pytest stories token db-reset purge bench eval eval-check report clean \
	cluster cluster-packages test-cluster bench-cluster staff-bench

help:
	@echo "make run    set up (first time), train if data changed, start the assistant on 127.0.0.1"
	@echo "make test   set up, validate the data, run pytest and the test conversations"
	@echo "make shell  chat in the terminal     make token LOGIN=directeur.papillons"
	@echo "make eval | bench | report           measurements, written to results/"
	@echo "make purge  delete conversations inactive for 90 days (CONVERSATION_RETENTION_DAYS)"
	@echo "make cluster | test-cluster | bench-cluster   the assistant as 2 replicas behind haproxy (docs/deploy.md)"

# --- set-up: a Python 3.10 venv with the pinned stack ----------------------
$(STAMP): requirements.txt constraints.txt
	@bash scripts/make-venv.sh $(VENV)
	@touch $(STAMP)

setup: $(STAMP)

# --- the portal's front-end packages: npm registry, lock file, vendored (no CDN) -
# (axe-core is a devDependency for the accessibility tests: in node_modules only, never vendored)
PORTAL_VENDOR := portal/static/vendor/purify.min.js
$(PORTAL_VENDOR): portal/package.json portal/package-lock.json portal/vendor.mjs
	@command -v npm >/dev/null 2>&1 || { echo "Node.js et npm sont introuvables : installez Node.js 18 ou plus (paquets nodejs et npm) pour le portail de démonstration." >&2; exit 1; }
	@echo "==> Paquets du portail (npm ci, copiés dans portal/static/vendor)"
	@npm ci --prefix portal --include=dev --no-audit --no-fund --loglevel=error
	@touch $(PORTAL_VENDOR)

# The portal's own Python environment: a current aiohttp (Rasa pins an old one; docs/security.md).
PORTAL_STAMP := .venv-portal/.installed
$(PORTAL_STAMP): requirements-portal.txt
	@bash scripts/make-venv.sh .venv-portal requirements-portal.txt requirements-portal.txt
	@touch $(PORTAL_STAMP)

portal-deps: $(PORTAL_VENDOR) $(PORTAL_STAMP)

# --- training: only when data, domain or config changed --------------------
train: $(STAMP)
	@$(PY) -m tools.training

# --- local state: secrets and the mock ENT database -----------------------
# umask 077: var/ and everything created in it (databases, secrets, logs) private to this user.
state: $(STAMP)
	@umask 077 && $(PY) -m tools.cli secrets
	@umask 077 && $(PY) -m tools.cli db init

# --- run --------------------------------------------------------------------
run: portal-deps train state
	@umask 077 && $(PY) -m tools.run

shell: train state
	@umask 077; SANIC_HOST=127.0.0.1 $(PY) -m bot.action_server --actions actions --port $${ACTIONS_PORT:-5055} >var/actions-shell.log 2>&1 & \
	  trap "kill $$! 2>/dev/null" EXIT; \
	  ACTIONS_PORT=$${ACTIONS_PORT:-5055} $(PY) -m bot.rasa_quiet shell --model $(MODEL) --endpoints endpoints.yml

# Only the token goes to stdout, so that TOKEN=$$(make -s token LOGIN=...) works.
token: $(STAMP)
	@$(PY) -m tools.cli secrets >&2
	@$(PY) -m tools.cli db init >&2
	@$(PY) -m tools.cli token $(LOGIN)

db-reset: $(STAMP)
	@$(PY) -m tools.cli db reset

# Delete conversations inactive for CONVERSATION_RETENTION_DAYS (90); ARGS="--days 30 --dry-run"
purge: $(STAMP)
	@$(PY) -m tools.retention $(ARGS)

# --- cluster (docs/deploy.md): replicas behind haproxy, Redis locks, PostgreSQL -------
# Redis, PostgreSQL and haproxy come from Debian's packages, installed when missing.
cluster-packages:
	@bash scripts/apt-ensure.sh redis-server:redis-server haproxy:haproxy postgres:postgresql

cluster: portal-deps train state cluster-packages
	@$(PY) -m tools.cluster

# Faults on a temporary cluster on free ports (5 to 10 min); figures in results/cluster.json.
test-cluster: train cluster-packages
	@echo "==> cluster: faults (results/cluster.json)"
	@ENT_TEST_CLUSTER=1 $(PY) -m pytest tests/cluster -p no:cacheprovider

# One replica vs the cluster under load; results/cluster-bench.json and .png. ARGS=--quick
bench-cluster: train cluster-packages
	@$(PY) -m tools.cluster.bench $(ARGS)

# --- tests ------------------------------------------------------------------
validate: $(STAMP)
	@echo "==> rasa data validate --fail-on-warnings (tools/validate.py: responses sent by the actions count as used)"
	@$(PY) -m tools.validate --fail-on-warnings --quiet

lint: $(STAMP)
	@echo "==> ruff"
	@$(VENV)/bin/ruff check actions bot tools tests portal
	@$(VENV)/bin/ruff format --check --quiet actions bot tools tests portal

# mypy (pyproject.toml): actions/, bot/ and tools/ in Rasa's venv, the portal in its own (its aiohttp).
typecheck: $(STAMP) $(PORTAL_STAMP)
	@echo "==> mypy"
	@$(VENV)/bin/mypy actions bot tools
	@$(VENV)/bin/mypy --python-executable .venv-portal/bin/python portal

pytest: train
	@echo "==> pytest"
	@$(PY) -m pytest

stories: train
	@echo "==> test conversations (rasa test --fail-on-prediction-errors)"
	@$(RASA) test core --model $(MODEL) --stories tests/conversations \
	  --fail-on-prediction-errors --out results/test-conversations --quiet

test: portal-deps lint typecheck validate train pytest stories eval-check
	@echo "==> Tous les tests sont passés."

# --- measurements (docs/measuring.md): results/; only eval-check fails on a figure
# Options: make eval ARGS=--quick, make bench ARGS=--quick, make report ARGS="--days 7"
eval: $(STAMP) train
	@$(PY) -m tools.measure.eval $(ARGS)

eval-check: $(STAMP) train
	@$(PY) -m tools.measure.eval --check

bench: $(STAMP)
	@$(PY) -m tools.measure.bench $(ARGS)

report: $(STAMP)
	@$(PY) -m tools.measure.report $(ARGS)

# /staff page load on 100,000 generated conversations; results/staff-bench.json
staff-bench: $(STAMP) portal-deps
	@$(PY) -m tools.measure.staff_bench $(ARGS)

clean:
	rm -rf models results/test-conversations .pytest_cache
