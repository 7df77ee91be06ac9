# smartcache: `make demo` runs the demo page, `make test` runs every test; both install what they need.
SHELL := bash
# CHROME_BIN and CHROMEDRIVER may be given; otherwise the tests use chromium and chromedriver from
# PATH, which `scripts/setup.sh --browser` installs when missing (never exported from here, so
# that setup can tell "given" from "default").
WASM := --target wasm32-unknown-unknown
# The wasm-bindgen tests of the boundary and the stores (run in a browser by test-browser).
BROWSER_TESTS := --features bench --test browser_boundary --test browser_stores

.PHONY: setup build demo app kpi api extension test bench soak fuzz lint test-fuzz test-scripts test-native test-browser test-e2e clean

setup:
	@bash scripts/setup.sh

## build: the npm package in pkg/ (wasm core + JS face)
build: setup
	@bash scripts/build.sh

## demo: builds the package, the demo CRM app and its API server; seeds target/crm.sqlite on
## first start and serves everything on http://127.0.0.1:$PORT/ (8080)
demo: app
	./target/release/crm-api --db target/crm.sqlite --static www/app/dist

## app: the demo CRM app (www/app/dist) and its API server (target/release/crm-api), built
app: build
	node node_modules/vite/bin/vite.js build www/app --logLevel warn --outDir dist --emptyOutDir
	cargo build -q --release -p crm-api

## kpi: the seed's table, measured on the demo CRM in each mode; writes bench/results/kpi.{json,md}
kpi: app
	@bash scripts/setup.sh --browser
	node bench/kpi/run.mjs

## api: the demo CRM's API server over a seeded SQLite file (target/crm.sqlite), on PORT (8080)
api:
	cargo run -q --release -p crm-api

## extension: the browser extension (a "smartcache" devtools panel) in target/extension/, to load unpacked
extension:
	@bash scripts/build-extension.sh

## bench: side-by-side benchmarks in headless Chromium, and the per-engine rows in the other
## engines of BROWSERS; writes bench/results/latest.{json,md}
bench:
	@bash scripts/setup.sh --browser
	@bash scripts/build.sh
	@bash scripts/build.sh --bench
	node bench/run.mjs
	@for engine in $(filter-out chromium,$(BROWSERS)); do ENGINE=$$engine node bench/run.mjs || exit 1; done
	@$(MAKE) --no-print-directory kpi

## test: formatting, lints, native tests, browser tests of the wasm boundary (Chromium, Firefox),
## end-to-end tests (all of them in Chromium, the cross-engine ones in Firefox and WebKit)
test:
	@bash scripts/setup.sh --browser --fuzz
	@$(MAKE) --no-print-directory lint test-scripts test-native test-fuzz test-browser test-e2e

lint:
	python3 scripts/module-cycles.py
	cargo fmt --check
	cargo clippy -q --all-targets -- -D warnings
	cargo clippy -q -p crm-api --all-targets -- -D warnings
	cargo clippy -q $(WASM) --lib -- -D warnings
	cargo clippy -q $(WASM) --lib $(BROWSER_TESTS) -- -D warnings

test-scripts:
	node --test tests/scripts/

## soak: 10^6 mixed operations in 3 tabs with reloads, checked against a model; writes bench/results/soak.json
soak:
	@bash scripts/setup.sh --browser
	@bash scripts/build.sh
	node bench/soak/run.mjs $${SOAK_OPERATIONS:-1000000}

## fuzz: every decoder of stored or received data, FUZZ_SECONDS (default 300) per target
fuzz:
	@bash scripts/setup.sh --fuzz
	bash scripts/fuzz.sh $${FUZZ_SECONDS:-300}

test-fuzz:
	bash scripts/fuzz.sh 10

test-native:
	cargo test -q
	cargo test -q -p crm-api

## BROWSERS: the engines the browser tests run in (default all three; BROWSERS=chromium for one)
BROWSERS ?= chromium firefox webkit
export BROWSERS
# The end-to-end tests every engine runs (tests/e2e/harness.mjs drives Firefox and WebKit over
# WebDriver); the other files need Playwright and Chromium (CDP, init scripts, extensions, the demo).
ENGINE_TESTS := persistence loading tabs input races opening bounded esm react

test-browser:
	$(if $(filter chromium,$(BROWSERS)),env -u GECKODRIVER CHROMEDRIVER="$${CHROMEDRIVER:-$$(command -v chromedriver)}" cargo test $(WASM) $(BROWSER_TESTS))
	$(if $(filter firefox,$(BROWSERS)),env -u CHROMEDRIVER GECKODRIVER="$${GECKODRIVER:-$$(command -v geckodriver)}" cargo test $(WASM) $(BROWSER_TESTS))

test-e2e:
	@bash scripts/build.sh
	$(if $(filter chromium,$(BROWSERS)),node --test --test-concurrency=1 tests/e2e/)
	@for engine in $(filter-out chromium,$(BROWSERS)); do \
	  echo "== end-to-end tests in $$engine: $(ENGINE_TESTS)"; \
	  ENGINE=$$engine node --test --test-concurrency=1 $(foreach t,$(ENGINE_TESTS),tests/e2e/$(t).test.mjs) || exit 1; \
	done

clean:
	cargo clean
	rm -rf pkg/wasm node_modules
