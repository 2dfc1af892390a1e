#!/usr/bin/env bash
# A throw-away one-node Ceph cluster with a RADOS Gateway (S3) on 127.0.0.1, for tests:
# one monitor, one OSD on memstore (data in memory), one radosgw, no systemd,
# everything under one folder. Needs Debian's ceph-mon, ceph-osd and radosgw.
#
#   scripts/ceph-rgw.sh start   # prints the endpoint; writes $CEPH_RGW_DIR/env
#   scripts/ceph-rgw.sh env     # the S3 settings of the running gateway, as shell assignments
#   scripts/ceph-rgw.sh stop    # stops the daemons by their pid files, removes the folder
#
# CEPH_RGW_DIR (default /tmp/bucketql-ceph) holds the config, pid files and logs;
# CEPH_RGW_PORT picks the gateway's port (default: a free one).
set -euo pipefail

DIR="${CEPH_RGW_DIR:-/tmp/bucketql-ceph}"
CONF="$DIR/ceph.conf"
ACCESS_KEY=bucketqltestkey
SECRET_KEY=bucketqltestsecret
DAEMONS=(mon.a osd.0 client.rgw)

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

pid_of() { cat "$DIR/run/$1.pid" 2>/dev/null || true; }

alive() {
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

stop() {
  [ -d "$DIR" ] || return 0
  # Gateway first, then the OSD, then the monitor: each by the pid its own file names.
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
    local name="${DAEMONS[$i]}" pid
    pid="$(pid_of "$name")"
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$DIR"
}

wait_for() {
  local what="$1" tries="$2"
  shift 2
  for _ in $(seq 1 "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "ceph-rgw: $what did not come up; logs in $DIR/log" >&2
  tail -n 30 "$DIR"/log/*.log >&2 || true
  return 1
}

start() {
  if [ -f "$DIR/env" ] && alive client.rgw; then
    cat "$DIR/env"
    return 0
  fi
  stop
  mkdir -p "$DIR"/{run,log,mon,osd}
  local fsid mon_port rgw_port osd_uuid
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  mon_port="$(free_port)"
  rgw_port="${CEPH_RGW_PORT:-$(free_port)}"

  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
auth allow insecure global id reclaim = false
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
keyring = $DIR/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
mon data = $DIR/mon/\$cluster-\$id
osd data = $DIR/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd memory target = 939524096
mon data avail warn = 1
mon data avail crit = 0

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw thread pool size = 64
rgw enable usage log = false
EOF
  # One keyring for every daemon and the admin: the monitor imports it at mkfs.
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n client.rgw --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
  ceph-mon -c "$CONF" -i a
  wait_for "the monitor" 60 ceph -c "$CONF" --connect-timeout 5 mon stat

  ceph -c "$CONF" osd new "$osd_uuid" >/dev/null
  mkdir -p "$DIR/osd/ceph-0"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$DIR/log/mkfs.log"
  ceph-osd -c "$CONF" -i 0
  wait_for "the OSD" 120 sh -c "ceph -c '$CONF' osd stat | grep -q '1 up'"

  radosgw -c "$CONF" -n client.rgw
  local endpoint="http://127.0.0.1:$rgw_port"
  wait_for "the gateway" 240 curl -sf "$endpoint/"
  radosgw-admin -c "$CONF" user create --uid=bucketql --display-name=bucketql \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null

  cat >"$DIR/env" <<EOF
AWS_ENDPOINT_URL_S3=$endpoint
AWS_ACCESS_KEY_ID=$ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$SECRET_KEY
AWS_REGION=us-east-1
EOF
  cat "$DIR/env"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) cat "$DIR/env" ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
