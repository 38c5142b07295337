# Two commands do all the set-up on a machine with only python3:
#   make lab    creates .venv, installs the pinned packages and the course, copies the release
#               notebooks into workspace/ (never overwriting your work) and starts JupyterLab
#   make test   the same set-up, then the linter and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888

.PHONY: setup lab test release

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(BIN)/course start
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --port=$(PORT) \
		--ServerApp.root_dir="$${COURSE_WORKSPACE:-$(CURDIR)/workspace}" \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: setup
	$(BIN)/ruff check .
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest

release: setup
	$(BIN)/course release
