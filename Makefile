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

.PHONY: help setup train run shell test lint validate pytest stories token db-reset bench eval eval-check report clean

help:
	@echo "make run    set up (first time), train if data changed, start the assistant on 127.0.0.1"
	@echo "make test   set up, validate the data, run pytest and the test conversations"
	@echo "make shell  chat in the terminal     make token LOGIN=directeur.papillons"
	@echo "make eval | bench | report           measurements, written to results/"

# --- set-up: a Python 3.10 venv with the pinned stack ----------------------
$(STAMP): requirements.txt constraints.txt
	@bash scripts/make-venv.sh $(VENV)
	@touch $(STAMP)

setup: $(STAMP)

# --- training: only when data, domain or config changed --------------------
train: $(STAMP)
	@$(PY) -m bot.training

