# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format bench worker clean translations

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	SIGNUP_DEV=1 $(BIN)/flask --app app dev

# The page checkers the admin tests run (axe-core, the W3C Nu checker), pinned in package-lock.json. Without
# npm their tests are skipped, loudly; CI has it. --ignore-scripts: vnu-jar ships its jar and needs no download.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --ignore-scripts; \
	else echo "npm not found: the admin page checks (axe-core, W3C checker) will be skipped"; fi

test: $(VENV)/.dev node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Gather the texts to translate, merge them into the uk and ru catalogues, and compile those.
translations: $(VENV)/.dev
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext --no-location --sort-output --project=signup --copyright-holder=signup -o signup/translations/messages.pot .
	$(BIN)/pybabel -q update -i signup/translations/messages.pot -d signup/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d signup/translations --statistics

bench: $(VENV)/.dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
