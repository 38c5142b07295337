# Two commands do all the set-up on a machine with only python3 and make:
#   make lab    creates .venv, installs the pinned packages and the course, copies the release
#               notebooks into workspace/ (never overwriting your work) and starts JupyterLab
#               with the student's tools only (lab/student: no formgrader, no assignment creation)
#   make instructor  the same set-up, then JupyterLab on the course root (Nbgrader -> Formgrader;
#               lab/instructor: formgrader's maths from Debian's MathJax, offline)
#   make hub    (as root) the course's JupyterHub on this machine, in the foreground: a shared
#               environment, the proxy, nbgrader's exchange (hub/README.md); make hub-demo
#               makes a demo class first, make hub-stop stops it, make hub-remove-demo removes it
#               (make hub-setup: the set-up alone)
#   make test   the same set-up, plus Debian's bubblewrap and chromium where it may install them
#               (root with apt-get; elsewhere their tests are skipped, named), then the linter
#               and the whole test suite in PYTEST_JOBS processes (2; each test module in one;
#               0: all in this one); PYTEST_ARGS passes arguments to pytest, e.g.
#               make test PYTEST_ARGS='-m "not browser"'
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888
PYTEST_ARGS ?=
PYTEST_JOBS ?= 2

.PHONY: setup system lab instructor test release hub hub-setup hub-demo hub-stop hub-remove-demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

system:
	@sh scripts/system-packages.sh

lab: setup
	$(BIN)/course start
	PATH="$(CURDIR)/$(BIN):$$PATH" JUPYTER_CONFIG_PATH="$(CURDIR)/lab/student" \
		$(BIN)/jupyter lab --port=$(PORT) \
		--ServerApp.root_dir="$${COURSE_WORKSPACE:-$(CURDIR)/workspace}" \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root)

instructor: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" JUPYTER_CONFIG_PATH="$(CURDIR)/lab/instructor" \
		JUPYTER_PATH="$(CURDIR)/lab/instructor/share" $(BIN)/jupyter lab --port=$(PORT) \
		--ServerApp.root_dir="$(CURDIR)" $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: setup system
	$(BIN)/ruff check .
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -n $(PYTEST_JOBS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

release: setup
	$(BIN)/course release

# The course's JupyterHub (hub/): hubctl needs only the standard library, so any python3 runs it
hub:
	$(PYTHON) hub/hubctl.py start

hub-setup:
	$(PYTHON) hub/hubctl.py setup

hub-demo:
	$(PYTHON) hub/hubctl.py demo

hub-stop:
	$(PYTHON) hub/hubctl.py stop

hub-remove-demo:
	$(PYTHON) hub/hubctl.py remove-demo
