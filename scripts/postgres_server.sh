#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: initdb into a new temporary
# folder, listen on a free loopback port only, no system service. DIR (in the
# build tree) gets `server` (where the data lives) and `env` with the
# superuser URL and the passwords of the two Samkart roles it creates:
#   samkart_owner  owns the tables and runs migrations
#   samkart_app    what `samkart serve` and the CLI connect as (read/write)
# Passwords are random per start; nothing is kept after `stop`.
#
#   scripts/postgres_server.sh start DIR
#   scripts/postgres_server.sh stop DIR     (also removes DIR)
set -euo pipefail

action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "bruk: $0 start|stop MAPPE" >&2
  exit 2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL-tjeneren mangler (Debian-pakken postgresql); kjør scripts/bootstrap.sh" >&2
  exit 1
fi

# PostgreSQL refuses to run as root; the Debian package's postgres user runs it then.
as_server=()
if [ "$(id -u)" -eq 0 ]; then
  as_server=(runuser -u postgres --)
fi

stop() {
  if [ -f "$dir/server" ]; then
    local server
    server=$(cat "$dir/server")
    if [ -f "$server/data/postmaster.pid" ]; then
      "${as_server[@]}" "$bindir/pg_ctl" -D "$server/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$server" in /tmp/samkart-pg.*) rm -rf "$server" ;; esac
  fi
  rm -rf "$dir"
}

case "$action" in
stop)
  stop
  ;;
start)
  stop
  mkdir -p "$dir"
  # The data lives under /tmp: the postgres user may not reach into the build tree.
  server=$(mktemp -d /tmp/samkart-pg.XXXXXX)
  echo "$server" >"$dir/server"
  [ ${#as_server[@]} -eq 0 ] || chown postgres "$server"
  password() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
  super_password=$(password)
  owner_password=$(password)
  app_password=$(password)
  (umask 077 && printf '%s\n' "$super_password" >"$server/pwfile")
  [ ${#as_server[@]} -eq 0 ] || chown postgres "$server/pwfile"
  "${as_server[@]}" "$bindir/initdb" -D "$server/data" -U postgres --pwfile="$server/pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
    >"$server/initdb.log" 2>&1 || {
    cat "$server/initdb.log" >&2
    exit 1
  }
  rm -f "$server/pwfile"
  # A free port: try a few at random in the dynamic range.
  port=""
  for _ in $(seq 1 20); do
    candidate=$((40000 + RANDOM % 20000))
    if "${as_server[@]}" "$bindir/pg_ctl" -D "$server/data" -l "$server/server.log" -w -t 30 \
      -o "-p $candidate -c listen_addresses=127.0.0.1 -k $server -c fsync=off -c max_connections=200" \
      start >/dev/null 2>&1; then
      port=$candidate
      break
    fi
  done
  if [ -z "$port" ]; then
    echo "PostgreSQL startet ikke; se $server/server.log:" >&2
    tail -n 20 "$server/server.log" >&2 || true
    exit 1
  fi
  super_url="postgresql://postgres:$super_password@127.0.0.1:$port/postgres"
  PGPASSWORD=$super_password "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
    -U postgres -d postgres <<SQL
CREATE ROLE samkart_owner LOGIN PASSWORD '$owner_password' CREATEDB;
CREATE ROLE samkart_app LOGIN PASSWORD '$app_password';
SQL
  umask 077
  cat >"$dir/env" <<ENV
SAMKART_PG_SUPERUSER_URL=$super_url
SAMKART_PG_HOST=127.0.0.1
SAMKART_PG_PORT=$port
SAMKART_PG_OWNER_PASSWORD=$owner_password
SAMKART_PG_APP_PASSWORD=$app_password
SAMKART_PG_BINDIR=$bindir
ENV
  echo "PostgreSQL kjører på 127.0.0.1:$port (data i $server)"
  ;;
*)
  echo "ukjent handling «$action»; bruk start eller stop" >&2
  exit 2
  ;;
esac
