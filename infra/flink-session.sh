#!/usr/bin/env bash
# Starts (or stops) a Flink 1.19 session cluster on this machine from the jars mapd already has: one
# jobmanager (REST and UI on localhost:8081) and one taskmanager, configured by infra/flink/flink-conf.yaml.
# No Flink download and no Docker. Usage: infra/flink-session.sh start|stop
# Then: ./mapd data prepare --datasets DIR --out DIR --runner flink --flink-master localhost:8081
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${FLINK_SESSION_DIR:-/tmp/mapd-flink-session}"
case "${1:-}" in
  start)
    "$root/mapd" --version > /dev/null # builds target/ when it is missing or stale
    mkdir -p "$state"
    cp="$root/target/classes:$(cat "$root/target/classpath.txt")"
    java -cp "$cp" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
      --configDir "$root/infra/flink" > "$state/jobmanager.log" 2>&1 &
    echo $! > "$state/jobmanager.pid"
    java -cp "$cp" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
      --configDir "$root/infra/flink" > "$state/taskmanager.log" 2>&1 &
    echo $! > "$state/taskmanager.pid"
    for _ in $(seq 60); do
      if curl -sf localhost:8081/overview | grep -q '"taskmanagers":1'; then
        echo "Flink session cluster up: http://localhost:8081 (logs in $state)"
        exit 0
      fi
      sleep 1
    done
    echo "Flink did not come up in 60 s; see $state/*.log" >&2
    exit 1
    ;;
  stop)
    for f in "$state"/taskmanager.pid "$state"/jobmanager.pid; do
      [[ -f "$f" ]] && kill "$(cat "$f")" 2> /dev/null || true
      rm -f "$f"
    done
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
