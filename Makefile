# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo-workspace
DEMO_ACCOUNTS ?= 1000
DEMO_MONTHS ?= 36
# make demo ends by serving the web app here; DEMO_SERVE=0 stops before
DEMO_PORT ?= 8000
DEMO_SERVE ?= 1
# the demo's history ends at the last month-end; metrics and health are taken as of that day
DEMO_END := $(shell date -u -d "$$(date -u +%Y-%m-01) -1 day" +%F)
DEMO_FROM := $(shell date -u -d "$$(date -u +%Y-%m-01) -1 day -1 year" +%F)
# the last full quarter before DEMO_END (targets, scorecards and pay are measured on it)
DEMO_QUARTER := $(shell $(PYTHON) -c "import datetime as d; e = d.date.fromisoformat('$(DEMO_END)'); \
	q = (e.month - 1) // 3; print(f'{e.year}Q{q}' if q else f'{e.year - 1}Q4')")

.PHONY: demo test test-fast lint bench clean

$(BIN)/tenure: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(BIN)/tenure
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## make demo: generate a demo company, load it into ./demo-workspace, backfill a year of weekly
## health history, print the headline (ARR, GRR, NRR, churn, bridge, health bands, ARR at risk),
## backtest and train the renewal model, open CTAs from the default playbooks (and show a second
## run opens none), show the riskiest renewals and the GRR/NRR forecast, then the operating model:
## segments, coverage per CSM with flags, the headcount plan for +30% ARR with and without moving
## the smallest tier (SMB) to digital, book balancing, targets, scorecards, pay and return on CS spend;
## then the desk: renewals with model and calls side by side, call accuracy, the joint review list,
## expansion leads and bookings, flagged open deals and advocates; then the board pack of the last full quarter
## (HTML + PDF) and the brief of the least healthy account, the demo logins per role, and the web app served
demo: $(BIN)/tenure
	rm -rf $(DEMO)
	$(BIN)/tenure init $(DEMO)
	printf 'value:  # value realised (the board pack and briefs report it): a report saves half an hour\n  - {name: hours_saved, event: report_created, per_event: 0.5, unit: hours}\n' >> $(DEMO)/tenure.yaml
	$(BIN)/tenure demo generate --out $(DEMO)/data --accounts $(DEMO_ACCOUNTS) --months $(DEMO_MONTHS) --end $(DEMO_END) \
		--requests $(DEMO)/feature_requests.csv --calls $(DEMO)/forecast_calls.csv --references $(DEMO)/references.csv
	$(BIN)/tenure --workspace $(DEMO) load $(DEMO)/data
	$(BIN)/tenure --workspace $(DEMO) churn-reasons import-crm
	$(BIN)/tenure --workspace $(DEMO) feature-requests import $(DEMO)/feature_requests.csv
	$(BIN)/tenure --workspace $(DEMO) desk calls import $(DEMO)/forecast_calls.csv
	$(BIN)/tenure --workspace $(DEMO) desk advocacy import $(DEMO)/references.csv
	$(BIN)/tenure --workspace $(DEMO) predict backtest --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) predict train --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) run --from $(DEMO_FROM) --to $(DEMO_END) --every week
	$(BIN)/tenure --workspace $(DEMO) run --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) predict score --as-of $(DEMO_END) --renewing-within 90
	$(BIN)/tenure --workspace $(DEMO) forecast --as-of $(DEMO_END) --by segment
	$(BIN)/tenure --workspace $(DEMO) report gaps --as-of $(DEMO_END) --months 6 --top 8
	$(BIN)/tenure --workspace $(DEMO) segments --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) coverage --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) capacity --as-of $(DEMO_END) --arr-growth 0.30 --digital SMB
	$(BIN)/tenure --workspace $(DEMO) balance --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) targets --period $(DEMO_QUARTER) --as-of $(DEMO_END) --by segment
	$(BIN)/tenure --workspace $(DEMO) scorecards --period $(DEMO_QUARTER) --periods 2 --by manager --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) comp --period $(DEMO_QUARTER) --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) spend --as-of $(DEMO_END) --by segment
	$(BIN)/tenure --workspace $(DEMO) teams --as-of $(DEMO_END) --strategic
	$(BIN)/tenure --workspace $(DEMO) desk renewals --as-of $(DEMO_END) --days 180 --by month
	$(BIN)/tenure --workspace $(DEMO) desk accuracy --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) desk review --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) desk expansions --as-of $(DEMO_END) --leads --export $(DEMO)/expansion-leads.csv
	$(BIN)/tenure --workspace $(DEMO) desk expansions --as-of $(DEMO_END) --bookings
	$(BIN)/tenure --workspace $(DEMO) desk vet --as-of $(DEMO_END) --record
	$(BIN)/tenure --workspace $(DEMO) desk advocates --as-of $(DEMO_END)
	$(BIN)/tenure --workspace $(DEMO) report board --period $(DEMO_QUARTER) --as-of $(DEMO_END) --format html,pdf \
		--out $(DEMO)/reports
	$(BIN)/tenure --workspace $(DEMO) report account --as-of $(DEMO_END) --format html,pdf --out $(DEMO)/reports \
		"$$($(BIN)/tenure --workspace $(DEMO) health --top 1 --format csv | sed -n 2p | cut -d, -f1)"
	$(BIN)/tenure --workspace $(DEMO) demo logins --url http://127.0.0.1:$(DEMO_PORT)
	@if [ "$(DEMO_SERVE)" = 1 ]; then $(BIN)/tenure --workspace $(DEMO) serve --port $(DEMO_PORT); fi

## make test: install the dev dependencies and run the whole suite (Spark and PostgreSQL tests included),
## as two pytest processes side by side, one per core: the folders of SECOND_HALF, and every other test
## (the PostgreSQL and Spark tests stay in the first, so the two never share a database)
SECOND_HALF := tests/desk tests/contract tests/views tests/predict tests/cli tests/e2e tests/demo
test: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	rm -rf .pytest-tmp && mkdir -p .pytest-tmp
	$(BIN)/python -m pytest --basetemp=.pytest-tmp/first $(addprefix --ignore=,$(SECOND_HALF)) \
		> .pytest-tmp/first.log 2>&1 & first=$$!; \
	$(BIN)/python -m pytest --basetemp=.pytest-tmp/second -p no:cacheprovider $(SECOND_HALF); second=$$?; \
	wait $$first; first_status=$$?; echo "--- the other half of the suite:"; \
	if [ $$first_status -eq 0 ]; then tail -n 5 .pytest-tmp/first.log; else cat .pytest-tmp/first.log; fi; \
	echo "pytest exit codes: $$first_status (other half), $$second ($(SECOND_HALF))"; \
	test $$first_status -eq 0 && test $$second -eq 0

## make test-fast: the suite without slow tests (demo companies, Spark), in seconds
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -m "not slow"

bench: $(BIN)/tenure
	$(BIN)/python bench/revenue.py --accounts 10000

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
