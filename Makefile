# Two commands on a fresh machine (python3 3.11+, make, git): `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
ISMS_DB ?= data/isms.duckdb
PORT ?= 8501
ADDRESS ?= 127.0.0.1
export ISMS_DB

.PHONY: run test bench db sample template system-deps clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(ISMS_DB): | $(STAMP)
	$(BIN)/python -m isms init-db

db: $(ISMS_DB)

run: $(STAMP) $(ISMS_DB)
	$(BIN)/python -m isms check-address "$(ADDRESS)"
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

sample: $(STAMP)
	$(BIN)/python -m isms sample --out data/sample

template: $(STAMP)
	$(BIN)/python -m isms template --out data/templates/isms-import-template.xlsx

# Debian packages for the browser tests, chart images and PDF checks (run as root; CI does).
system-deps:
	command -v chromium >/dev/null && command -v pdftoppm >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
