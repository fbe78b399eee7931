# hotline-coach — the two commands: `make serve` and `make test`.
#   make serve   install everything, migrate, load demo data, serve the web app on localhost
#   make test    install everything, ruff and mypy, then pytest against SQLite and a throwaway PostgreSQL
#   make report  inspect the bundled sample calls into out/report.html and out/report.xlsx
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ASSETS := node_modules/.package-lock.json
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test install apt assets lint bench report clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,spark]'
	touch $(STAMP)

# The engine's hot modules compiled to C by mypyc from the same source (hotline/native.py), rebuilt when a
# source changes; until then, or when the build fails (no C compiler), the package runs as plain Python.
NATIVE := src/hotline/_native/manifest.json
$(NATIVE): $(STAMP) $(shell find src/hotline \( -name '*.py' -o -name '*.c' \) -not -path '*/_native/*')
	$(BIN)/hotline native build || echo "注意：编译模块未能生成，质检以纯 Python 运行（结果相同，速度较慢）"

install: $(STAMP) $(NATIVE)

# Debian packages listed in apt-packages.txt (PostgreSQL, chromium, …); apt runs only when one is missing.
apt:
	@missing=""; \
	for p in $$(grep -v '^[[:space:]]*#' apt-packages.txt); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "安装缺少的系统软件包：$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Front-end assets (htmx, ECharts) from the npm registry into the git-ignored node_modules/, served by the app.
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(ASSETS)

assets: apt $(ASSETS)

serve: install apt assets
	$(BIN)/hotline web init-db
	$(BIN)/hotline web demo
	$(BIN)/hotline web serve --host $(HOST) --port $(PORT)

report: install
	$(BIN)/hotline inspect --samples --format html -o out/report.html
	$(BIN)/hotline inspect --samples --format xlsx -o out/report.xlsx
	@echo "报告已生成：out/report.html 与 out/report.xlsx"

# The PostgreSQL tests get a throwaway cluster on 127.0.0.1 (HOTLINE_TEST_POSTGRES_URL), removed afterwards.
test: install apt assets
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/hotline
	bash tests/store/pg_cluster.sh $(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/hotline

bench: install
	$(BIN)/python benchmarks/bench_inspect.py
	$(BIN)/python benchmarks/bench_web.py

clean:
	rm -rf $(VENV) out node_modules src/hotline/_native
