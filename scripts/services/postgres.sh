#!/usr/bin/env bash
# A throwaway PostgreSQL for development and CI, on loopback only.
#
#   scripts/services/postgres.sh start|stop|status|env|reset
#
# `start` and `env` print KEY=VALUE lines on stdout (DATABASE_URL=...); all chatter goes to
# stderr, so `scripts/services/postgres.sh start > pg.env` captures exactly the settings.
# The cluster is our own (initdb into the state dir), never the system's "main" cluster, so
# it runs the same for root (as the postgres user) and for an unprivileged developer.
set -euo pipefail

# Below Linux's ephemeral range (32768–60999), so an outgoing socket can never hold it.
PORT="${PG_PORT:-25432}"
DB_NAME="${PG_DB:-shuangchuang}"
DB_USER="${PG_USER:-shuangchuang}"
DB_PASSWORD="${PG_PASSWORD:-shuangchuang}"
STATE_DIR="${SERVICES_STATE_DIR:-${TMPDIR:-/tmp}/shuangchuang-services-$(id -un)}"
PGDIR="$STATE_DIR/postgres"
DATA="$PGDIR/data"

log() { echo "postgres: $*" >&2; }

env_lines() {
    echo "DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
}

# The server refuses to run as root, so root hands the cluster to the postgres system user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

bindir() {
    # The newest server installed, should there be several.
    local dir
    dir="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    [ -x "$dir/initdb" ] || return 1
    echo "$dir"
}

install() {
    bindir >/dev/null && return 0
    [ "$(id -u)" = 0 ] || { log "server not installed: run 'sudo apt-get install postgresql'"; exit 1; }
    log "installing the server from Debian packages"
    # Debian ships psql and postgresql-common on some images without the server; the index may
    # be stale on a fresh machine, hence the update.
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2
}

running() {
    local bin
    bin="$(bindir)" || return 1
    [ -f "$DATA/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

psql_admin() {
    as_owner "$(bindir)/psql" -h "$PGDIR" -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"
}

init_cluster() {
    local bin="$1"
    log "creating a new cluster in $DATA"
    mkdir -p "$PGDIR"
    # The state dir may come from mktemp (mode 700): the postgres user must be able to reach it.
    chmod 755 "$STATE_DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$PGDIR"; fi
    chmod 700 "$PGDIR"
    as_owner "$bin/initdb" -D "$DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PGDIR/initdb.log" 2>&1 ||
        { cat "$PGDIR/initdb.log" >&2; exit 1; }
    # Durability is traded for speed: this cluster only ever holds test and demo data, and the
    # test suite creates and migrates a whole database on every run.
    cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$PGDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

setup_database() {
    log "creating role $DB_USER and database $DB_NAME"
    # CREATEDB, not SUPERUSER: Django's test runner creates its own test database, and
    # btree_gist is a trusted extension, so a database owner may create it there.
    psql_admin -d postgres <<EOF
CREATE ROLE "$DB_USER" LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
CREATE DATABASE "$DB_NAME" OWNER "$DB_USER";
EOF
    # Prove that claim once, as the application role, in a scratch database.
    PGPASSWORD="$DB_PASSWORD" "$(bindir)/psql" -X -q -v ON_ERROR_STOP=1 \
        "postgres://$DB_USER@127.0.0.1:$PORT/$DB_NAME" >&2 <<EOF
CREATE DATABASE extension_probe;
\c extension_probe
CREATE EXTENSION btree_gist;
\c "$DB_NAME"
DROP DATABASE extension_probe;
EOF
}

start() {
    install
    local bin
    bin="$(bindir)"
    if running; then
        log "already running on 127.0.0.1:$PORT"
        env_lines
        return 0
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        init_cluster "$bin"
    fi
    # The port is given on every start, so a cluster made with an older default still
    # listens where DATABASE_URL says.
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$PGDIR/server.log" -o "-p $PORT" -w -t 60 start >/dev/null ||
        { tail -20 "$PGDIR/server.log" >&2; exit 1; }
    # Checked on every start rather than after initdb, so an interrupted first start heals.
    if [ -z "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
        setup_database
    fi
    log "ready on 127.0.0.1:$PORT ($("$bin/postgres" --version))"
    env_lines
}

stop() {
    if running; then
        as_owner "$(bindir)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        log "stopped"
    else
        log "not running"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) if running; then log "running on 127.0.0.1:$PORT"; else log "not running"; exit 3; fi ;;
    env) env_lines ;;
    reset) stop; rm -rf "$PGDIR"; log "data removed" ;;
    *) echo "usage: $0 start|stop|status|env|reset" >&2; exit 2 ;;
esac
