#!/usr/bin/env bash
# A single-node Elasticsearch 8 for development and CI, on loopback only.
#
#   scripts/services/elasticsearch.sh start|stop|status|env|reset
#
# `start` and `env` print KEY=VALUE lines on stdout (ELASTICSEARCH_URL=...); chatter goes to
# stderr. The server is Elastic's "integ-test-zip" build, the one distribution published as a
# Maven artifact, run on the machine's own Java. It is deliberately bare: besides the core
# analyzers (standard, simple, whitespace, stop, keyword) it has no analysis-common module
# (no whitespace/ngram tokenizers, asciifolding, language analyzers) and no painless scripts,
# so index mappings must stay within what core Elasticsearch provides.
set -euo pipefail

VERSION="${ES_VERSION:-8.19.21}"
PORT="${ES_PORT:-9200}"
HEAP="${ES_HEAP:-512m}"
if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/shuangchuang; else default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/shuangchuang"; fi
CACHE_DIR="${SERVICES_CACHE_DIR:-$default_cache}"
STATE_DIR="${SERVICES_STATE_DIR:-${TMPDIR:-/tmp}/shuangchuang-services-$(id -un)}"
ES_HOME="$CACHE_DIR/elasticsearch-$VERSION"
ESDIR="$STATE_DIR/elasticsearch"
PIDFILE="$ESDIR/elasticsearch.pid"
URL="http://127.0.0.1:$PORT"
# Elasticsearch refuses to run as root; root runs it as this system user instead.
RUN_USER="${ES_RUN_USER:-elastic}"

log() { echo "elasticsearch: $*" >&2; }

env_lines() {
    echo "ELASTICSEARCH_URL=$URL"
}

as_runner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$RUN_USER" -- "$@"
    else
        "$@"
    fi
}

java_home() {
    if [ -n "${ES_JAVA_HOME:-}" ]; then
        echo "$ES_JAVA_HOME"
    elif [ -n "${JAVA_HOME:-}" ]; then
        echo "$JAVA_HOME"
    else
        local java
        java="$(command -v java)" || { log "no java on PATH; set ES_JAVA_HOME (17 or newer)"; exit 1; }
        dirname "$(dirname "$(readlink -f "$java")")"
    fi
}

install() {
    [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
    log "fetching elasticsearch $VERSION (integ-test-zip) with maven"
    mkdir -p "$CACHE_DIR"
    local tmp
    tmp="$(mktemp -d "$CACHE_DIR/.es-download.XXXXXX")"
    # Run from an empty directory so a pom.xml in the caller's directory cannot interfere; the
    # log is shown only on failure (even -q prints terminal escape codes).
    (cd "$tmp" && mvn -B -q dependency:copy \
        -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$VERSION:zip" \
        -DoutputDirectory="$tmp" >"$tmp/mvn.log" 2>&1) || { cat "$tmp/mvn.log" >&2; rm -rf "$tmp"; exit 1; }
    unzip -q "$tmp/elasticsearch-$VERSION.zip" -d "$tmp"
    # Unpacked beside the final place and renamed, so an interrupted install is never mistaken
    # for a complete one.
    mv "$tmp/elasticsearch-$VERSION" "$ES_HOME"
    rm -rf "$tmp"
}

pid() { cat "$PIDFILE" 2>/dev/null || true; }

running() {
    local p
    p="$(pid)"
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && grep -q elasticsearch "/proc/$p/cmdline" 2>/dev/null
}

wait_healthy() {
    for _ in $(seq 1 90); do
        if curl -fsS "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
            return 0
        fi
        running || break
        sleep 1
    done
    log "did not become healthy; last log lines:"
    tail -30 "$ESDIR/logs/"*.log >&2 2>/dev/null || true
    return 1
}

# An index with a whitespace-analysed field, one document, one search: the features the
# application relies on, checked once per start rather than discovered by a failing test.
smoke_test() {
    local index="services-smoke-test" json=(-H 'Content-Type: application/json')
    curl -fsS -X DELETE "$URL/$index?ignore_unavailable=true" >/dev/null
    curl -fsS -X PUT "$URL/$index" "${json[@]}" -d '{
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"properties": {"title": {"type": "text", "analyzer": "whitespace"}}}
    }' >/dev/null
    curl -fsS -X PUT "$URL/$index/_doc/1?refresh=true" "${json[@]}" -d '{"title": "创新 创业 孵化"}' >/dev/null
    curl -fsS "$URL/$index/_search" "${json[@]}" -d '{"query": {"match": {"title": "创业"}}}' |
        grep -q '"total":{"value":1,' || { log "smoke test search found nothing"; return 1; }
    curl -fsS -X DELETE "$URL/$index" >/dev/null
}

start() {
    if running; then
        log "already running on $URL"
        env_lines
        return 0
    fi
    install
    if [ "$(id -u)" = 0 ] && ! id "$RUN_USER" >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$RUN_USER"
    fi
    mkdir -p "$ESDIR"/{data,logs,tmp}
    # A private config dir, so the cached distribution stays read-only (Elasticsearch writes its
    # keystore next to its config).
    [ -d "$ESDIR/config" ] || cp -r "$ES_HOME/config" "$ESDIR/config"
    if [ "$(id -u)" = 0 ]; then
        chmod 755 "$STATE_DIR"
        chown -R "$RUN_USER:" "$ESDIR"
    fi
    rm -f "$PIDFILE"
    log "starting on $URL (heap $HEAP)"
    # Bootstrap checks (file descriptors, vm.max_map_count) only warn on a loopback-bound single
    # node. Disk-watermark checks are off so a nearly full dev disk doesn't turn indices
    # read-only, and wildcard deletes are allowed so tests can clean up their own indices.
    as_runner env \
        ES_JAVA_HOME="$(java_home)" \
        ES_PATH_CONF="$ESDIR/config" \
        ES_TMPDIR="$ESDIR/tmp" \
        ES_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP ${ES_EXTRA_JAVA_OPTS:-}" \
        "$ES_HOME/bin/elasticsearch" -d -p "$PIDFILE" \
        -Ecluster.name=shuangchuang-dev \
        -Ediscovery.type=single-node \
        -Enetwork.host=127.0.0.1 \
        -Ehttp.port="$PORT" \
        -Epath.data="$ESDIR/data" \
        -Epath.logs="$ESDIR/logs" \
        -Expack.security.enabled=false \
        -Ecluster.routing.allocation.disk.threshold_enabled=false \
        -Eaction.destructive_requires_name=false \
        >"$ESDIR/launcher.log" 2>&1 || { cat "$ESDIR/launcher.log" >&2; exit 1; }
    wait_healthy
    smoke_test
    log "ready on $URL (elasticsearch $VERSION)"
    env_lines
}

stop() {
    if ! running; then
        log "not running"
        return 0
    fi
    local p
    p="$(pid)"
    kill "$p"
    for _ in $(seq 1 60); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$p" 2>/dev/null; then
        log "still running after 30s; killing $p"
        kill -9 "$p"
    fi
    rm -f "$PIDFILE"
    log "stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) if running; then log "running on $URL"; else log "not running"; exit 3; fi ;;
    env) env_lines ;;
    reset) stop; rm -rf "$ESDIR"; log "data removed" ;;
    *) echo "usage: $0 start|stop|status|env|reset" >&2; exit 2 ;;
esac
