# Two commands set up and run everything on a fresh machine:
#   make repro   build .venv from requirements.lock (when missing or stale), then `dvc repro`
#   make test    same setup, then the test suite
# and `make lab` opens JupyterLab on notebooks/ with the project environment as the kernel.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.coopnews-installed
PYTEST_ARGS ?=

# Everything below runs inside the project environment, offline, with reproducible settings.
export PATH := $(abspath $(BIN)):$(PATH)
export PYTHONPATH := $(CURDIR)/src
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg
export DVC_NO_ANALYTICS := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TQDM_DISABLE ?=

.PHONY: setup repro test lab lock clean-venv

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "error: Python 3.11 is required ($(PYTHON) is $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

setup: $(STAMP)

repro: $(STAMP)
	dvc repro

test: $(STAMP)
	python -m pytest $(PYTEST_ARGS)

lab: $(STAMP)
	python -m analysis lab

# Refresh requirements.lock from requirements.in in a throwaway venv (needs the network).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	{ sed -n '1,4p' requirements.lock; .lock-venv/bin/pip freeze --exclude-editable | \
	  sed 's/^torch==\([0-9.]*\)+cpu$$/torch==\1/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

clean-venv:
	rm -rf $(VENV)
