# Two commands do all set-up: `make run` (serve the demo) and `make test` (run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve test test-dates test-sqlite test-postgres lint translations bench bench-province clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the SQLite database in instance/, load the demo if empty, serve on :5000 with the
## scheduler beside the web server (its own process)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo ""
	@echo "  Mở http://$(HOST):$(PORT) — đăng nhập bằng một tài khoản mẫu ở trên (mật khẩu: $${DEMO_PASSWORD:-ninhson766})."
	@echo ""
	@echo "  Bộ lập lịch (cảnh báo hồ sơ, thư điện tử, chỉ số tính từ hồ sơ) chạy cùng, trong tiến trình riêng."
	$(BIN)/flask scheduler run & SCHEDULER=$$!; trap 'kill $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## make test: install and run the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
test: install
	env -u TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== PostgreSQL: $$TEST_DATABASE_URL"; $(BIN)/pytest; fi

## make test-dates: the SQLite suite as if today were 15/02/2027, then 30/06/2030 (nothing may depend on the clock)
test-dates: install
	env -u TEST_DATABASE_URL TEST_CLOCK=2027-02-15 $(BIN)/pytest
	env -u TEST_DATABASE_URL TEST_CLOCK=2030-06-30 $(BIN)/pytest

lint: install
	$(BIN)/ruff check .

## make translations: extract the texts, update the English catalog (new entries empty: translate them), compile
translations: install
	$(BIN)/pybabel extract -F app/translations/babel.cfg -k _l -k N_ -k lazy_gettext --no-location --sort-output \
		-o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d app/translations

## make bench: speed and memory targets (import, demo load, pages, RSS) on SQLite, then on PostgreSQL when
## BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set; then the province-scale benchmark (issue 16), which needs
## PostgreSQL (default: BENCH_PG_DEFAULT, this machine's server) and writes bench-results.json. Everything runs;
## the target fails if any one misses a target. BENCH_PROVINCE_ARGS passes options (e.g. --only pages).
BENCH_PG_DEFAULT ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
BENCH_PROVINCE_ARGS ?=
bench: install
	@status=0; \
	echo "== SQLite (fresh temporary file)"; \
	env -u BENCH_DATABASE_URL $(BIN)/python tests/bench/bench_scores.py || status=$$?; \
	env -u BENCH_DATABASE_URL $(BIN)/python tests/bench/bench_dossiers.py || status=$$?; \
	$(BIN)/python tests/bench/bench_uploads.py || status=$$?; \
	url="$${BENCH_DATABASE_URL:-$$TEST_DATABASE_URL}"; \
	if [ -n "$$url" ]; then \
		echo "== PostgreSQL: $$url"; \
		$(BIN)/python tests/bench/bench_scores.py --database-url "$$url" || status=$$?; \
		$(BIN)/python tests/bench/bench_dossiers.py --database-url "$$url" || status=$$?; \
	fi; \
	url="$${url:-$(BENCH_PG_DEFAULT)}"; \
	echo "== Province scale (issue 16) on PostgreSQL: $$url"; \
	$(BIN)/python tests/bench/bench_province.py --database-url "$$url" $(BENCH_PROVINCE_ARGS) || status=$$?; \
	exit $$status

## make bench-province: only the province-scale benchmark (same URL rules as make bench)
bench-province: install
	url="$${BENCH_DATABASE_URL:-$${TEST_DATABASE_URL:-$(BENCH_PG_DEFAULT)}}"; \
	$(BIN)/python tests/bench/bench_province.py --database-url "$$url" $(BENCH_PROVINCE_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
