#!/usr/bin/env bash
# `make pytest`: pytest, with a throwaway PostgreSQL for the state-layer tests when one can run.
#
# Unless PG_TEST_URL is already set, starts a cluster with scripts/pg_test_cluster.sh, runs
# pytest with PG_TEST_URL pointing at it, and always stops it afterwards (even when tests fail
# or the run is interrupted). Without PostgreSQL binaries (or with PG_BINDIR=/nonexistent) the
# PostgreSQL tests are skipped. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

if [[ -z "${PG_TEST_URL:-}" ]]; then
    cluster=""
    trap 'if [[ -n "$cluster" ]]; then bash scripts/pg_test_cluster.sh stop "$cluster"; fi' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    exports=$(bash scripts/pg_test_cluster.sh start)
    if [[ -n "$exports" ]]; then
        eval "$exports"
        cluster=$PG_TEST_CLUSTER
        echo "PostgreSQL tests run against a throwaway cluster in $cluster" >&2
    fi
fi

"$PYTHON" -m pytest "$@"
