# Two commands: `make demo` and `make test`. Each bootstraps .venv from the pinned lock if it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING
export TMPDIR ?= /tmp

.PHONY: demo test venv clean lock chromium screenshots

venv: $(STAMP)

# Python 3.11's bundled pip (23.2) fails on the lock: two packages ask for lxml's html-clean extra
# spelled two ways (html_clean, html-clean), which pip 23.2's resolver takes for a conflict.
PIP_VERSION := 25.1.1

$(STAMP): requirements.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/python -m flows.demo

test: $(STAMP) chromium
	$(VENV)/bin/python -m pytest -q

# The browser tests of `newsduck browse` drive Debian's Chromium (Playwright's own browser downloads are not used)
# and a CJK font for the pages' Chinese. Installed here when missing, as root; otherwise one line says what to do.
CHROMIUM := /usr/bin/chromium
CHROMIUM_PACKAGES := chromium fonts-wqy-microhei
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && apt-get install -y --no-install-recommends $(CHROMIUM_PACKAGES); \
	  else \
	    echo "make test: the browser tests need Chromium: install it as root with apt-get install -y --no-install-recommends $(CHROMIUM_PACKAGES)" >&2; \
	    exit 1; \
	  fi; \
	fi

# The README's screenshots of `newsduck browse` (docs/img/browse-*.png), taken by its browser test.
screenshots: $(STAMP) chromium
	NEWSDUCK_SCREENSHOTS=1 $(VENV)/bin/python -m pytest -q tests/test_browse_browser.py

clean:
	rm -rf $(VENV) .prefect data .pytest_cache

# Re-resolve the direct pins in constraints.txt and write the full lock (run after changing dependencies).
lock:
	rm -rf /tmp/newsduck-lock-venv && $(PYTHON) -m venv /tmp/newsduck-lock-venv
	/tmp/newsduck-lock-venv/bin/python -m pip install --quiet pip==$(PIP_VERSION)
	/tmp/newsduck-lock-venv/bin/pip install --quiet -c constraints.txt -e '.[test,bench]'
	(echo "# pip freeze of a fresh install of .[test,bench] (python 3.11) + the build backend; regenerate with: make lock"; \
	 echo "setuptools==80.9.0"; /tmp/newsduck-lock-venv/bin/pip freeze --exclude-editable) > requirements.lock
