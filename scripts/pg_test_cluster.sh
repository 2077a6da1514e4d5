#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the state-layer tests (scripts/test.sh uses it).
#
#   eval "$(bash scripts/pg_test_cluster.sh start)"   # exports PG_TEST_CLUSTER and PG_TEST_URL
#   bash scripts/pg_test_cluster.sh stop              # stops it and deletes its folder
#
# start [DIR]: initdb in DIR (default: a new temporary folder), listening only on 127.0.0.1 on
# a free port (its socket in DIR too), password authentication, a database briefing_test; prints
# the two export lines above. Binaries: $PG_BINDIR, else /usr/lib/postgresql/15/bin, else
# `pg_config --bindir`. Without them it prints a note on stderr, nothing on stdout, and exits 0,
# so the PostgreSQL tests skip. PostgreSQL refuses to run as root: as root the cluster runs as
# the `postgres` system user (created by the PostgreSQL packages).
# stop [DIR]: stops the cluster in DIR (default $PG_TEST_CLUSTER) and deletes DIR.
set -euo pipefail

note() { echo "pg_test_cluster: $*" >&2; }

find_bindir() {
    local candidate
    if [[ -n "${PG_BINDIR:-}" ]]; then
        candidate=$PG_BINDIR
    elif [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        candidate=/usr/lib/postgresql/15/bin
    elif command -v pg_config >/dev/null 2>&1; then
        candidate=$(pg_config --bindir)
    else
        return 1
    fi
    [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" && -x "$candidate/createdb" ]] || return 1
    echo "$candidate"
}

# as_owner CMD...: run CMD as the cluster's owner (the `postgres` user when we are root).
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local bindir dir port password url attempt created=""
    if ! bindir=$(find_bindir); then
        note "no PostgreSQL server binaries (initdb, pg_ctl) in ${PG_BINDIR:-/usr/lib/postgresql/15/bin or pg_config --bindir}; PostgreSQL tests will be skipped"
        return 0
    fi
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        note "running as root and there is no 'postgres' user to run PostgreSQL as; PostgreSQL tests will be skipped"
        return 0
    fi
    if [[ -n "${1:-}" ]]; then
        dir=$1
        mkdir -p "$dir"
    elif [[ $(id -u) -eq 0 ]]; then
        dir=$(mktemp -d /tmp/briefing-pg.XXXXXX)  # a folder `postgres` can reach
        created=1
    else
        dir=$(mktemp -d "${TMPDIR:-/tmp}/briefing-pg.XXXXXX")
        created=1
    fi
    # On any failure below: stop what started, delete the folder if it is ours, exit 1.
    # shellcheck disable=SC2064
    trap "start_failed '$dir' '$created'" ERR
    mkdir -p "$dir/socket"
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    printf '%s\n' "$password" >"$dir/pwfile"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres "$dir"
    fi
    chmod 700 "$dir"
    echo "$bindir" >"$dir/bindir"

    if ! as_owner "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
        note "initdb failed:"
        cat "$dir/initdb.log" >&2
        false
    fi
    rm -f "$dir/pwfile"

    for attempt in 1 2 3; do
        port=$(free_port)
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -s \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >&2; then
            break
        fi
        if [[ $attempt -eq 3 ]]; then
            note "pg_ctl start failed; server log:"
            cat "$dir/server.log" >&2 2>/dev/null || true
            false
        fi
    done

    PGPASSWORD=$password "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres briefing_test
    url="postgresql+asyncpg://postgres:$password@127.0.0.1:$port/briefing_test"
    trap - ERR
    printf "export PG_TEST_CLUSTER='%s'\nexport PG_TEST_URL='%s'\n" "$dir" "$url"
}

start_failed() {
    local dir=$1 created=$2
    trap - ERR
    note "could not start a PostgreSQL cluster in $dir (set PG_BINDIR=/nonexistent to skip the PostgreSQL tests)"
    stop_cluster "$dir"
    if [[ -n "$created" ]]; then
        rm -rf "$dir"
    fi
    exit 1
}

stop_cluster() {
    local dir=$1 bindir
    if [[ -f "$dir/data/postmaster.pid" && -f "$dir/bindir" ]]; then
        bindir=$(cat "$dir/bindir")
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 -s stop >&2 \
            || as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -s stop >&2 \
            || note "could not stop the cluster in $dir"
    fi
}

stop() {
    local dir=${1:-${PG_TEST_CLUSTER:-}}
    if [[ -z "$dir" || ! -d "$dir" ]]; then
        return 0
    fi
    stop_cluster "$dir"
    rm -rf "$dir"
}

case "${1:-}" in
start) shift && start "$@" ;;
stop) shift && stop "$@" ;;
*)
    echo "usage: $0 start [DIR] | stop [DIR]" >&2
    exit 2
    ;;
esac
