# Two commands on a fresh machine (python3 3.11+, make, git): `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
# The sample lives at the default path; any other ISMS_DB is an organisation's own, created empty.
SAMPLE_DB := data/isms.duckdb
ISMS_DB ?= $(SAMPLE_DB)
PORT ?= 8501
ADDRESS ?= 127.0.0.1
export ISMS_DB

.PHONY: run test bench db sample template system-deps oidc-provider lake-trial lake-trial-stop clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# `make run` on a fresh clone: the sample. `make run ISMS_DB=data/acme.duckdb`: your own ISMS, empty
# until you import (the app opens on its welcome). An existing database is never touched.
$(ISMS_DB): | $(STAMP)
	$(BIN)/python -m isms init-db $(if $(filter $(abspath $(SAMPLE_DB)),$(abspath $(ISMS_DB))),,--empty)

db: $(ISMS_DB)

run: $(STAMP) $(ISMS_DB)
	$(BIN)/python -m isms check-address "$(ADDRESS)"
	$(BIN)/python -m ui.serve --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

sample: $(STAMP)
	$(BIN)/python -m isms sample --out data/sample

template: $(STAMP)
	$(BIN)/python -m isms template --out data/templates/isms-import-template.xlsx

# Debian packages for the browser tests, chart images and PDF checks (and the PDF's Unicode font),
# Node.js for the OIDC test's provider, and PostgreSQL for the DuckLake catalog tests (run as root; CI does). oidc-provider 9
# wants Node.js 20 or later.
system-deps:
	@need=""; \
	command -v chromium >/dev/null || need="$$need chromium"; \
	command -v pdftoppm >/dev/null || need="$$need poppler-utils"; \
	command -v node >/dev/null || need="$$need nodejs"; \
	command -v npm >/dev/null || need="$$need npm"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	ls /usr/share/fonts/truetype/liberation*/LiberationSans-Regular.ttf >/dev/null 2>&1 || need="$$need fonts-liberation"; \
	if [ -n "$$need" ]; then echo "installing:$$need"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need; fi

# Try the PostgreSQL mode on one machine: Debian's postgresql (`apt-get install postgresql`), a
# throwaway cluster on a loopback port in LAKE_DIR, the DuckLake's data files beside it, the sample
# imported, and the dashboard served on it. `make lake-trial-stop LAKE_DIR=...` stops the cluster.
LAKE_DIR ?= /tmp/isms-lake-trial
lake-trial: $(STAMP)
	$(BIN)/python -m isms.store.pg_cluster start "$(LAKE_DIR)" > "$(LAKE_DIR).env"
	cat "$(LAKE_DIR).env"
	. "$(LAKE_DIR).env" && $(BIN)/python -m isms init-db && \
		$(BIN)/python -m ui.serve --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

lake-trial-stop:
	$(BIN)/python -m isms.store.pg_cluster stop "$(LAKE_DIR)"

# The real OpenID provider the OIDC browser test signs in at (npm oidc-provider, pinned in
# tests/oidc/package-lock.json, installed into tests/oidc/node_modules; the test also does this).
oidc-provider: tests/oidc/node_modules/.package-lock.json

tests/oidc/node_modules/.package-lock.json: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
