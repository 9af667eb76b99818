# stripe-emu. Everything the targets need comes through the Go module proxy
# (ginkgo is pinned in go.mod and run with `go run`).
GO      ?= go
GINKGO  := $(GO) run github.com/onsi/ginkgo/v2/ginkgo
ADDR    ?= 127.0.0.1:12111

.PHONY: run build test lint vet sdk-deps bench fuzz tidy

## run: serve the emulator on $(ADDR), in memory, no configuration
run:
	$(GO) run ./cmd/stripe-emu serve --addr $(ADDR)

## build: build the stripe-emu binary into bin/
build:
	$(GO) build -o bin/stripe-emu ./cmd/stripe-emu

## test: vet, then the whole suite with the race detector, in parallel
test: vet sdk-deps
	$(GINKGO) -r -p --randomize-all --race --timeout=10m

## vet: go vet and a gofmt check
vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

lint: vet

## sdk-deps: stripe-python for the Python SDK check, from Debian (python3-stripe;
## PyPI is out of reach of our machines), and Debian's Chromium for the browser
## check of the Stripe.js stand-in (test tools cannot download their own browser
## here), installed when root with apt-get, else those checks say they skipped.
## stripe-node and playwright-core come from npm inside their own checks.
SYSPYTHON ?= /usr/bin/python3
sdk-deps:
	@$(SYSPYTHON) -c 'import stripe' 2>/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq python3-stripe >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq python3-stripe >/dev/null 2>&1; }; }; } || \
	  echo "stripe-python could not be installed: the Python SDK check will be skipped"
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq chromium >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; }; } || \
	  echo "chromium could not be installed: the browser check of the Stripe.js stand-in will be skipped"

## bench: throughput and allocation benchmarks, printed as a table (one package
## at a time: packages benchmarked side by side would share the CPUs)
BENCHCPU ?= 1
bench:
	$(GO) test -p 1 -run '^$$' -bench . -benchmem -benchtime=2s -cpu $(BENCHCPU) ./bench/... ./emulator/... | tee bench.out | $(GO) run ./bench/table

## fuzz: run each fuzz target for a while (seed corpora also run in `make test`)
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./emulator/internal/form -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./emulator/internal/params -run '^$$' -fuzz FuzzValidate -fuzztime $(FUZZTIME)
	$(GO) test ./emulator -run '^$$' -fuzz FuzzRequest -fuzztime $(FUZZTIME)
