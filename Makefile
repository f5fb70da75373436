# Two commands on a fresh machine:  `make demo` (scan the bundled example)  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench eval clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/wa-audit scan examples/year4-oak-android.txt --group examples/group.yaml --fail-on never
	mkdir -p out
	$(BIN)/wa-audit report examples/year4-oak-android.txt --group examples/group.yaml --fail-on never \
		--format html -o out/year4-oak-report.html
	@echo "Breach report for the deputy head: out/year4-oak-report.html (open it in a browser)"

test: $(STAMP)
	$(BIN)/ruff check whatsapp_audit tests benchmarks
	$(BIN)/wa-audit rules lint
	$(BIN)/wa-audit rules test
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_parse.py

eval: $(STAMP)
	$(BIN)/python benchmarks/eval_corpus.py --all-dialects
	for f in benchmarks/heldout/*.yaml; do $(BIN)/python benchmarks/eval_corpus.py --all-dialects $$f || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
