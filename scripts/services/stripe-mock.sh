#!/usr/bin/env bash
# stripe-mock, Stripe's official API stand-in, for development and CI, on loopback only.
#
#   scripts/services/stripe-mock.sh start|stop|status|env|reset
#
# `start` and `env` print KEY=VALUE lines on stdout (STRIPE_API_BASE=..., test keys); chatter
# goes to stderr. stripe-mock is stateless: it validates requests against Stripe's OpenAPI spec
# and answers with fixtures (a retrieve echoes the requested id, nothing a create stored), and
# it never sends webhooks, so tests sign their own events with STRIPE_WEBHOOK_SECRET.
set -euo pipefail

VERSION="${STRIPE_MOCK_VERSION:-v0.203.0}"
PORT="${STRIPE_MOCK_PORT:-12111}"
HTTPS_PORT="${STRIPE_MOCK_HTTPS_PORT:-12112}"
if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/shuangchuang; else default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/shuangchuang"; fi
CACHE_DIR="${SERVICES_CACHE_DIR:-$default_cache}"
STATE_DIR="${SERVICES_STATE_DIR:-${TMPDIR:-/tmp}/shuangchuang-services-$(id -un)}"
# The binary reports its version as "master", so the pinned version lives in the path instead.
BIN="$CACHE_DIR/stripe-mock-$VERSION/stripe-mock"
SMDIR="$STATE_DIR/stripe-mock"
PIDFILE="$SMDIR/stripe-mock.pid"
URL="http://127.0.0.1:$PORT"

log() { echo "stripe-mock: $*" >&2; }

env_lines() {
    echo "STRIPE_API_BASE=$URL"
    echo "STRIPE_SECRET_KEY=${STRIPE_SECRET_KEY:-sk_test_123}"
    echo "STRIPE_WEBHOOK_SECRET=${STRIPE_WEBHOOK_SECRET:-whsec_test_ci}"
}

install() {
    [ -x "$BIN" ] && return 0
    command -v go >/dev/null || { log "go is needed to build stripe-mock"; exit 1; }
    log "building stripe-mock $VERSION with go install"
    mkdir -p "$CACHE_DIR"
    local tmp
    tmp="$(mktemp -d "$CACHE_DIR/.stripe-mock-build.XXXXXX")"
    # Built into a scratch dir and renamed, so an interrupted build never looks installed.
    GOBIN="$tmp/bin" go install "github.com/stripe/stripe-mock@$VERSION" || { rm -rf "$tmp"; exit 1; }
    mkdir -p "$(dirname "$BIN")"
    mv "$tmp/bin/stripe-mock" "$BIN"
    rm -rf "$tmp"
}

pid() { cat "$PIDFILE" 2>/dev/null || true; }

running() {
    local p
    p="$(pid)"
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && grep -q stripe-mock "/proc/$p/cmdline" 2>/dev/null
}

start() {
    if running; then
        log "already running on $URL"
        env_lines
        return 0
    fi
    install
    mkdir -p "$SMDIR"
    # Both listeners are pinned to loopback: given only an HTTP address, stripe-mock still opens
    # HTTPS on every interface.
    nohup "$BIN" -http-addr "127.0.0.1:$PORT" -https-addr "127.0.0.1:$HTTPS_PORT" \
        >"$SMDIR/stripe-mock.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 50); do
        if curl -fsS -u sk_test_123: "$URL/v1/customers?limit=1" >/dev/null 2>&1; then
            log "ready on $URL (stripe-mock $VERSION)"
            env_lines
            return 0
        fi
        running || break
        sleep 0.2
    done
    log "did not answer; log:"
    cat "$SMDIR/stripe-mock.log" >&2
    exit 1
}

stop() {
    if running; then
        kill "$(pid)"
        rm -f "$PIDFILE"
        log "stopped"
    else
        log "not running"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) if running; then log "running on $URL"; else log "not running"; exit 3; fi ;;
    env) env_lines ;;
    reset) stop; rm -rf "$SMDIR"; log "state removed" ;;
    *) echo "usage: $0 start|stop|status|env|reset" >&2; exit 2 ;;
esac
