# Three entry points, each installs what it needs into .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: install compare test docs clean

$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt torch==2.13.0
	$(PIP) install -q -c constraints.txt -e '.[all,test,docs]'
	touch $@

install: $(VENV)/.installed

compare: install
	$(VENV)/bin/graphneg compare

test: install
	OMP_NUM_THREADS=1 $(PY) -m pytest -q tests --doctest-modules graphneg generators analysis datasets; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

# API reference from the docstrings, with docs/design.md; any warning fails the build.
docs: install
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

clean:
	rm -rf $(VENV) results build docs/_build docs/api/generated *.egg-info
