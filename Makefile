# TaskFlow: every entry point lives in scripts/, so local runs, .ci/run and GitHub Actions agree.
.PHONY: dev test bench install

dev:      ## start the app (backend on SQLite) and print its URL
	@bash scripts/dev.sh

test:     ## run every test suite
	@bash scripts/test.sh

bench:    ## load benchmark against a local PostgreSQL (see docs/PERFORMANCE.md)
	@bash scripts/bench.sh

install:  ## install Python and npm dependencies from the lock files
	@bash scripts/install.sh
