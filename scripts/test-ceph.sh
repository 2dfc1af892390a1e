#!/usr/bin/env bash
# `npm run test:ceph`: the API tests (test/api, test/server) against a real distributed
# S3, a throw-away Ceph RGW started by scripts/ceph-rgw.sh and stopped afterwards.
# With CEPH_RGW_DIR pointing at a running gateway (scripts/ceph-rgw.sh start), that one
# is used and left running. Extra arguments go to vitest (a file, -t 'name').
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${CEPH_RGW_DIR:-}" ] && [ -f "$CEPH_RGW_DIR/env" ]; then
  echo "test:ceph: using the gateway in $CEPH_RGW_DIR"
else
  export CEPH_RGW_DIR="/tmp/bucketql-ceph-test-$$"
  trap 'scripts/ceph-rgw.sh stop' EXIT
  started=$SECONDS
  scripts/ceph-rgw.sh start >/dev/null
  echo "test:ceph: Ceph RGW up in $((SECONDS - started)) s"
fi
set -a
# shellcheck disable=SC1091
. "$CEPH_RGW_DIR/env"
set +a
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(test/api test/server)
BUCKETQL_TEST_STORE=external npx vitest run "${targets[@]}"
