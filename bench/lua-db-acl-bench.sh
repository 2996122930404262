#!/usr/bin/env bash
# QoS 1 publishes/s of one MQTT client whose publish ACL comes from PostgreSQL (VerneMQ's vmq_auth_acl through
# plugin-lua's auth/postgres.lua and the auth cache) vs the built-in ACL, in one run with alternating rounds
# (plugin-lua's DatabaseAclBench; needs Debian's postgresql). Prints one line per round and a RESULT line.
# MESSAGES (20000) per round, ROUNDS (3), INFLIGHT (100) unacknowledged publishes at most.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -ntp -o -pl plugin-lua -am test -Dtest=DatabaseAclBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.messages="${MESSAGES:-20000}" -Dbench.rounds="${ROUNDS:-3}" -Dbench.inflight="${INFLIGHT:-100}" \
  | grep -E "^round|^RESULT|Tests run|BUILD|ERROR"
