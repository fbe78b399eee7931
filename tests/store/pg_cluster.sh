#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster on 127.0.0.1 and its URL in
# HOTLINE_TEST_POSTGRES_URL; the cluster is removed afterwards. Without PostgreSQL's server
# binaries the command runs alone (the PostgreSQL tests then skip and say why) — except under
# CI (CI=true), where a missing PostgreSQL is a failure: a CI run never passes by skipping.
# HOTLINE_PG_BINDIR names the server binaries' folder (default: the newest /usr/lib/postgresql/*/bin).
# Usage: tests/store/pg_cluster.sh COMMAND [ARGS...]
set -u
bindir=${HOTLINE_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  case "$(printf '%s' "${CI:-}" | tr '[:upper:]' '[:lower:]')" in
    ""|0|false|no)
      echo "pg_cluster: 未找到 PostgreSQL 服务器程序，PostgreSQL 测试将跳过" >&2
      exec "$@" ;;
    *)
      echo "pg_cluster: CI 中未找到 PostgreSQL 服务器程序（${bindir:-/usr/lib/postgresql/*/bin}/initdb），请安装 apt 包 postgresql" >&2
      exit 1 ;;
  esac
fi
dir=$(mktemp -d -t hotline-pg.XXXXXX)
run_as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$dir"
  run_as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT
"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
export HOTLINE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
echo "pg_cluster: PostgreSQL 测试集群 $HOTLINE_TEST_POSTGRES_URL" >&2
"$@"
