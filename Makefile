# Two commands matter to office staff: `make monthly` and `make test`. Every target first
# makes sure .venv exists and holds the package (re-installed when setup.cfg changes).
SHELL := bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CONFIG ?= config.yaml
INPUTS ?= inputs
OUTPUTS ?= outputs
PERIOD ?=
PERIOD_ARG = $(if $(PERIOD),--period $(PERIOD),)
PDF_ARG = $(if $(PDF),--pdf,)

.PHONY: setup all monthly dekad weekly quarterly status templates simulate ingest check check-config test lint bench clean

setup: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "正在安装运行环境（首次约需 1 分钟）…"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 \
		| { grep -v "^WARNING: Location .* is ignored" || true; }
	@touch $(STAMP)

monthly: $(STAMP)
	@$(BIN)/minsheng monthly --config $(CONFIG) --inputs $(INPUTS) --outputs $(OUTPUTS) $(PERIOD_ARG) $(PDF_ARG)

# The end-of-month routine: the month's 旬简报, 月通报 and, in a quarter's last month, 季总结.
all: $(STAMP)
	@$(BIN)/minsheng all --config $(CONFIG) --inputs $(INPUTS) --outputs $(OUTPUTS) $(PERIOD_ARG) $(PDF_ARG)

dekad: $(STAMP)
	@$(BIN)/minsheng dekad --config $(CONFIG) --inputs $(INPUTS) --outputs $(OUTPUTS) $(PERIOD_ARG) $(PDF_ARG)

weekly: $(STAMP)
	@$(BIN)/minsheng weekly --config $(CONFIG) --inputs $(INPUTS) --outputs $(OUTPUTS) $(PERIOD_ARG) $(PDF_ARG)

quarterly: $(STAMP)
	@$(BIN)/minsheng quarterly --config $(CONFIG) --inputs $(INPUTS) --outputs $(OUTPUTS) $(PERIOD_ARG) $(PDF_ARG)

status: $(STAMP)
	@$(BIN)/minsheng status --config $(CONFIG) --outputs $(OUTPUTS) $(PERIOD_ARG)

templates: $(STAMP)
	@test -n "$(PERIOD)" || { echo "请指定期别，如：make templates PERIOD=2023-05"; exit 2; }
	@$(BIN)/minsheng templates --config $(CONFIG) --outputs $(OUTPUTS) --period $(PERIOD)

ingest: $(STAMP)
	@$(BIN)/minsheng ingest --config $(CONFIG) --inputs $(INPUTS) --outputs $(OUTPUTS) $(PERIOD_ARG)

# A unit's file checked before it is sent: make check FILES="a.xlsx b.xlsx" (no ledger is touched).
check: $(STAMP)
	@test -n "$(FILES)" || { echo "请指定要检查的文件，如：make check FILES=教育局.xlsx"; exit 2; }
	@$(BIN)/minsheng check --config $(CONFIG) $(FILES)

check-config: $(STAMP)
	@$(BIN)/minsheng check-config --config $(CONFIG)

test: $(STAMP)
	@$(BIN)/python -m pytest

lint: $(STAMP)
	@$(BIN)/ruff check pipeline tests
	@$(BIN)/ruff format --check pipeline tests

bench: $(STAMP)
	@$(BIN)/python -m pipeline.bench --config $(CONFIG) $(if $(SCALE),--scale $(SCALE),) $(if $(FULL),--full,)

# The ledger, archive and documents in outputs/ are the office's records: clean never touches them.
clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis .ruff_cache outputs/demo outputs/bench
