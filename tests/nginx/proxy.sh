#!/usr/bin/env bash
# The nginx example in docs/examples/ with Debian's nginx in front of a
# real `samkart serve`: TLS, the health check, survey links from
# --public-url, the client's address in the audit log (and a forged
# X-Forwarded-For not believed), and the redirect from plain HTTP.
# Usage: proxy.sh SAMKART_BINARY SOURCE_DIR
set -euo pipefail
samkart=$1
source_dir=$2
work=$(mktemp -d /tmp/samkart-nginx.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FEIL: $*" >&2; [ -f "$work/error.log" ] && cat "$work/error.log" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "ingen lytter på port $1"
}

db="$work/samkart.sqlite"
printf 'municipality,name_nb,region,size_group,population\n9001,Vikheim (syntetisk),nord,1,2817\n' \
  > "$work/kommuner.csv"
"$samkart" --db "$db" import "$work/kommuner.csv" >/dev/null
password="riktig-hest-batteri-stift-$RANDOM"
printf '%s\n' "$password" | "$samkart" --db "$db" user add anne --role admin >/dev/null

app_port=$(free_port)
https_port=$(free_port)
http_port=$(free_port)
# nginx reaches Samkart from 127.0.0.2, the one trusted proxy; the test's
# own requests come from 127.0.0.1, a client.
"$samkart" --db "$db" serve --quiet --port "$app_port" --public-url https://samkart.example.no \
  --trusted-proxy 127.0.0.2 2>"$work/samkart.log" &
pids+=($!)

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=samkart.example.no \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
sed -e "s|server 127.0.0.1:8081;|server 127.0.0.1:$app_port;|" \
    -e "/server 127.0.0.1:8082;/d" \
    -e "s|listen 443 ssl;|listen 127.0.0.1:$https_port ssl;|" \
    -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
    -e "s|/etc/ssl/certs/samkart.example.no.pem|$work/cert.pem|" \
    -e "s|/etc/ssl/private/samkart.example.no.key|$work/key.pem|" \
    -e "s|proxy_pass http://samkart;|proxy_pass http://samkart; proxy_bind 127.0.0.2;|" \
    "$source_dir/docs/examples/nginx-samkart.conf" > "$work/samkart.conf"
mkdir -p "$work/tmp"
cat > "$work/nginx.conf" <<CONF
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
    access_log $work/access.log;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    include $work/samkart.conf;
}
CONF
nginx -t -c "$work/nginx.conf" -p "$work" 2>"$work/nginx-t.log" || { cat "$work/nginx-t.log" >&2; fail "nginx godtar ikke eksempelet"; }
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
wait_for_port "$app_port"
wait_for_port "$https_port"

site=https://samkart.example.no:$https_port
curl_site() { curl -sS --cacert "$work/cert.pem" --resolve "samkart.example.no:$https_port:127.0.0.1" "$@"; }

health=$(curl_site "$site/helse")
[ "$health" = "ok" ] || fail "/helse gjennom nginx svarte «$health»"

# A wrong password with a forged X-Forwarded-For: the audit log has the
# client's real address.
status=$(curl_site -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -H 'X-Forwarded-For: 203.0.113.5' -d '{"brukernavn":"anne","passord":"feil"}' "$site/api/logg-inn")
[ "$status" = "401" ] || fail "feil passord ga HTTP $status"
logged=$(sqlite3 "$db" "SELECT detail FROM audit_log WHERE action = 'login_failed'")
[ "$logged" = "fra 127.0.0.1" ] || fail "revisjonsloggen har «$logged», ventet «fra 127.0.0.1»"

# Logged in through the proxy, a new round's page links to the public address.
csrf=$(curl_site -c "$work/cookies" -H 'Content-Type: application/json' \
  -d "{\"brukernavn\":\"anne\",\"passord\":\"$password\"}" "$site/api/logg-inn" |
  sed -E 's/.*"csrf":"([^"]+)".*/\1/')
[ -n "$csrf" ] || fail "innloggingen ga ingen CSRF-nøkkel"
location=$(curl_site -b "$work/cookies" -o /dev/null -w '%{redirect_url}' \
  --data-urlencode "csrf=$csrf" -d kommune=9001 -d "aar=$(date +%Y)" -d type=baseline \
  -d "siste_svardag=$(date -d '+20 days' +%F)" \
  -d inviterte_nav=6 "$site/runder")
case "$location" in
  https://samkart.example.no:$https_port/runder/*) ;;
  *) fail "ny runde sendte videre til «$location»" ;;
esac
page=$(curl_site -b "$work/cookies" "$location")
grep -q 'https://samkart.example.no/s/' <<<"$page" || fail "rundesiden lenker ikke til https://samkart.example.no/s/…"

# Plain HTTP is sent to HTTPS.
redirect=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' \
  --resolve "samkart.example.no:$http_port:127.0.0.1" "http://samkart.example.no:$http_port/utforsk")
[ "$redirect" = "301 https://samkart.example.no/utforsk" ] || fail "HTTP ga «$redirect»"

echo "nginx-eksempelet virker: TLS, /helse, lenker, klientadresse, omdirigering"
