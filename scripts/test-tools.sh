#!/usr/bin/env bash
# Prometheus's own tools for the tests (promtool, amtool, prometheus, prometheus-alertmanager), from
# Debian's packages unpacked into .test-tools/ (git-ignored): apt-get download and dpkg -x need no
# root and start no daemon. scripts/test.mjs runs this before the tests and puts
# .test-tools/root/usr/bin on their PATH; it does nothing when the tools are already there.
# Exit 1, with one line on stderr, when they cannot be fetched (no apt, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/.test-tools"
bin="$dir/root/usr/bin"
tools=(promtool amtool prometheus prometheus-alertmanager)

have() { [ -x "$bin/$1" ] || command -v "$1" >/dev/null; }
missing=()
for t in "${tools[@]}"; do have "$t" || missing+=("$t"); done

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
    echo "test-tools: ${missing[*]} missing and no apt-get/dpkg to fetch them: install Prometheus and Alertmanager (promtool, amtool) yourself" >&2
    exit 1
  fi
  echo "test-tools: fetching ${missing[*]} (Debian packages prometheus, prometheus-alertmanager) into .test-tools/" >&2
  mkdir -p "$dir/debs" "$dir/lists/partial" "$dir/cache/archives/partial"
  download() { (cd "$dir/debs" && apt-get "$@" download prometheus prometheus-alertmanager >/dev/null); }
  # The system's package lists first; when they are missing or stale, lists of our own (an update
  # into a private folder needs no root either).
  private=(-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o Debug::NoLocking=1)
  if ! download 2>/dev/null; then
    apt-get "${private[@]}" update -qq >/dev/null 2>&1 || true
    if ! download "${private[@]}"; then
      echo "test-tools: apt-get download prometheus prometheus-alertmanager failed (see above)" >&2
      exit 1
    fi
  fi
  for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/root"; done
  rm -rf "$dir/debs" "$dir/lists" "$dir/cache"
fi

# Debian's Alertmanager reads its built-in notification templates from a fixed path, so the alerting
# end-to-end test (test/alerts/fault-to-page.test.ts) needs them where the package would have put
# them. That takes root: done when allowed (CI runs as root), otherwise the test says what to run.
share=/usr/share/prometheus/alertmanager
for tmpl in default.tmpl email.tmpl; do
  if [ ! -f "$share/$tmpl" ] && [ -f "$dir/root$share/$tmpl" ]; then
    install -D -m 644 "$dir/root$share/$tmpl" "$share/$tmpl" 2>/dev/null || true
  fi
done
