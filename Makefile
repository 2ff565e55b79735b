# tipdw: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: demo test lint sqllint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tipdw demo

lint: $(STAMP)
	$(BIN)/ruff check ingest tipdw tests benchmarks
	$(BIN)/ruff format --check ingest tipdw tests benchmarks

sqllint: $(STAMP)
	$(BIN)/sqlfluff lint models analyses macros --disable-progress-bar --processes 2

test: $(STAMP) lint sqllint
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf warehouse target logs
