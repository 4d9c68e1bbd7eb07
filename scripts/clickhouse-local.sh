#!/usr/bin/env bash
# Runs Debian's clickhouse-server (18.16) unprivileged for tests and benchmarks: one node, or two shards on loopback
# behind a `hunt` cluster. Usage: clickhouse-local.sh start DIR BASEPORT [--shards 2] | stop DIR
#   node 1: HTTP BASEPORT+123, TCP BASEPORT, interserver BASEPORT+9; node 2 (--shards 2): the same at BASEPORT+10000.
# start copies /etc/clickhouse-server's config into DIR with paths and ports edited, waits until every node answers,
# and prints the store URLs (the first shard's, with &cluster=hunt for two shards). stop kills the nodes, removes DIR.
set -euo pipefail

die() { echo "clickhouse-local: $*" >&2; exit 2; }
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start DIR BASEPORT [--shards 2] | stop DIR"
server=${CLICKHOUSE_SERVER:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}
etc=${CLICKHOUSE_ETC:-/etc/clickhouse-server}

stop() {
  for pidfile in "$dir"/node*/pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    # Only the server this script started (its pid file), never a broad name.
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}

# node N BASE: one server's config and data under DIR/nodeN.
node() {
  local n=$1 base=$2 shards=$3 nd="$dir/node$1"
  mkdir -p "$nd/data" "$nd/tmp" "$nd/user_files" "$nd/format_schemas" "$nd/log"
  cp "$etc/users.xml" "$nd/users.xml"
  # A user with a password, so the password path (EXHUNT_CLICKHOUSE_PASSWORD, never printed) can be tested.
  perl -0pi -e 's#<users>#<users>\n        <exhunt_pw>\n            <password>exhunt-secret-pw</password>\n            <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>\n            <profile>default</profile>\n            <quota>default</quota>\n        </exhunt_pw>#' "$nd/users.xml"
  local cluster=""
  if [ "$shards" = 2 ]; then
    local r1="<replica><host>127.0.0.1</host><port>$baseport</port></replica>"
    local r2="<replica><host>127.0.0.1</host><port>$((baseport + 10000))</port></replica>"
    cluster="<hunt><shard>$r1</shard><shard>$r2</shard></hunt>"
  fi
  CL="$cluster" ND="$nd" HTTP=$((base + 123)) TCP=$base IS=$((base + 9)) perl -0p -e '
    s#<log>[^<]*</log>#<log>$ENV{ND}/log/server.log</log>#;
    s#<errorlog>[^<]*</errorlog>#<errorlog>$ENV{ND}/log/server.err.log</errorlog>#;
    s#<http_port>\d+</http_port>#<http_port>$ENV{HTTP}</http_port>#;
    s#<tcp_port>\d+</tcp_port>#<tcp_port>$ENV{TCP}</tcp_port>#;
    s#<interserver_http_port>\d+</interserver_http_port>#<interserver_http_port>$ENV{IS}</interserver_http_port>#;
    s#<https_port>\d+</https_port>##; s#<tcp_port_secure>\d+</tcp_port_secure>##;
    s#<path>/var/lib/clickhouse/</path>#<path>$ENV{ND}/data/</path>#;
    s#<tmp_path>[^<]*</tmp_path>#<tmp_path>$ENV{ND}/tmp/</tmp_path>#;
    s#<user_files_path>[^<]*</user_files_path>#<user_files_path>$ENV{ND}/user_files/</user_files_path>#;
    s#<format_schema_path>[^<]*</format_schema_path>#<format_schema_path>$ENV{ND}/format_schemas/</format_schema_path>#;
    s#<users_config>[^<]*</users_config>#<users_config>$ENV{ND}/users.xml</users_config>#;
    s#<remote_servers incl="clickhouse_remote_servers" >#<remote_servers>$ENV{CL}#;
  ' "$etc/config.xml" > "$nd/config.xml"
  (cd "$nd" && nohup "$server" --config-file="$nd/config.xml" >"$nd/log/stdout.log" 2>&1 & echo $! > "$nd/pid")
}

wait_up() {
  local port=$1
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/?query=SELECT%201" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

case "$cmd" in
  start)
    baseport=${3:-}; [[ "$baseport" =~ ^[0-9]+$ ]] || die "BASEPORT must be a number"
    shards=1; [ "${4:-}" = --shards ] && shards=${5:-2}
    [ "$shards" = 1 ] || [ "$shards" = 2 ] || die "--shards takes 1 or 2"
    [ -x "$server" ] || die "clickhouse-server not found (apt-get install clickhouse-server)"
    [ -e "$dir" ] && die "$dir exists: stop it first or choose another directory"
    mkdir -p "$dir"
    node 1 "$baseport" "$shards"
    [ "$shards" = 2 ] && node 2 $((baseport + 10000)) "$shards"
    for n in $(seq 1 "$shards"); do
      port=$((baseport + (n - 1) * 10000 + 123))
      if ! wait_up "$port"; then
        tail -20 "$dir/node$n/log/server.err.log" >&2 2>/dev/null || true
        stop; die "node $n did not answer on port $port"
      fi
      curl -fsS "http://127.0.0.1:$port/" --data-binary "CREATE DATABASE IF NOT EXISTS exhunt_test" >/dev/null
    done
    if [ "$shards" = 2 ]; then
      echo "http://127.0.0.1:$((baseport + 123))/?database=exhunt_test&cluster=hunt&shard=http://127.0.0.1:$((baseport + 10123))/"
    else
      echo "http://127.0.0.1:$((baseport + 123))/?database=exhunt_test"
    fi
    ;;
  stop) stop ;;
  *) die "unknown command $cmd (start|stop)" ;;
esac
