#!/usr/bin/env bash
# `npm run bench:cluster`: bench/cluster.ts (three bucketql instances behind HAProxy, a
# mixed load with an instance killed and one drained midway) over Ceph RGW when Ceph is
# installed (a throw-away gateway from scripts/ceph-rgw.sh, or the one in CEPH_RGW_DIR),
# else over an embedded s3rver. Arguments go to bench/cluster.ts (routed, roundrobin).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v haproxy >/dev/null || { echo "bench:cluster needs haproxy (apt-get install haproxy)" >&2; exit 2; }

if command -v radosgw >/dev/null && [ "${CLUSTER_STORE:-ceph}" = ceph ]; then
  if [ -z "${CEPH_RGW_DIR:-}" ] || [ ! -f "$CEPH_RGW_DIR/env" ]; then
    export CEPH_RGW_DIR="/tmp/bucketql-ceph-cluster-$$"
    trap 'scripts/ceph-rgw.sh stop' EXIT
    scripts/ceph-rgw.sh start >/dev/null
  fi
  set -a
  # shellcheck disable=SC1091
  . "$CEPH_RGW_DIR/env"
  set +a
  export BUCKETQL_BENCH_STORE=external
fi
npx tsx bench/cluster.ts "$@"
