# hotline-coach — the two commands: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test install lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Until the web app lands: inspect the bundled sample calls and write the HTML and Excel reports.
serve: install
	$(BIN)/hotline inspect --samples --format html -o out/report.html
	$(BIN)/hotline inspect --samples --format xlsx -o out/report.xlsx
	@echo "报告已生成：out/report.html 与 out/report.xlsx"

test: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/hotline

bench: install
	$(BIN)/python benchmarks/bench_inspect.py

clean:
	rm -rf $(VENV) out
