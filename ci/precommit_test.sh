#!/usr/bin/env bash
# End-to-end test of .pre-commit-hooks.yaml: a throwaway git repository with
# a bundled Node service points its .pre-commit-config.yaml at this checkout
# and checks that hook `decouple` fails, `decouple-fix` rewrites the files
# and fails, and `decouple` then passes.
#
# pre-commit's `language: golang` runs `go install` on the repository at
# `rev:`, so this tests the committed HEAD (set DECOUPLE_REPO / DECOUPLE_REV
# to test another clone or revision). Needs git and go; installs Debian's
# pre-commit when it is missing, and skips (exit 0) when it cannot.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="${DECOUPLE_REPO:-$here}"
rev="${DECOUPLE_REV:-$(git -C "$repo" rev-parse HEAD)}"

if ! command -v pre-commit >/dev/null 2>&1; then
  echo "precommit_test: pre-commit not found; installing Debian's package"
  sudo=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
  if ! { $sudo apt-get install -y pre-commit >/dev/null 2>&1 || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y pre-commit >/dev/null 2>&1; }; } \
    || ! command -v pre-commit >/dev/null 2>&1; then
    echo "precommit_test: SKIP: pre-commit is not installed and could not be installed"
    exit 0
  fi
fi
if ! git -C "$repo" cat-file -e "$rev:.pre-commit-hooks.yaml" 2>/dev/null; then
  echo "precommit_test: FAIL: $repo at $rev has no .pre-commit-hooks.yaml (commit it first)" >&2
  exit 1
fi

# The hooks' files: pattern (Python's re, as pre-commit reads it) takes the
# names decouple's search takes, and leaves the others: the table of names
# internal/discover's tests read too.
python3 - "$here/.pre-commit-hooks.yaml" "$here/internal/discover/testdata/dockerfile_names.txt" <<'PY' || exit 1
import re, sys
pats = re.findall(r"^  files: '(.*)'$", open(sys.argv[1]).read(), re.M)
assert pats, "no files: pattern"
want = {"docker-compose.yml": 1, "compose.prod.yaml": 1, "fig.yml": 1, "fig-dev.yml": 1, "fig_dev.yml": 0, "docker-compose.yml.bak": 0}
for line in open(sys.argv[2]):
    if line.startswith("#") or "\t" not in line:
        continue
    name, w = line.rstrip("\n").split("\t")
    want[name] = int(w)
bad = [(p, n) for p in pats for n, w in want.items() if bool(re.search(p, n)) != bool(w)]
for p, n in bad:
    print("precommit_test: FAIL: files: pattern and", n, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache" # never touch the user's hook cache
export DECOUPLE_TODAY=2026-11-27
proj="$work/proj"
mkdir -p "$proj"
cd "$proj"
git init -q .
git config user.email test@example.com
git config user.name test
git config commit.gpgsign false

cat > docker-compose.yml <<'YAML'
services:
  app:
    build: .
    ports:
      - "8080:3000"
YAML
cat > Dockerfile <<'DOCKERFILE'
FROM node:22-alpine
WORKDIR /app
COPY package.json ./
RUN npm install
COPY . .
CMD ["npm", "run", "start"]
DOCKERFILE
printf 'node_modules\n.git\n' > .dockerignore
printf '{"name":"demo","version":"1.0.0","scripts":{"start":"node index.js"}}\n' > package.json
echo 'console.log("hi")' > index.js
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: decouple
      - id: decouple-fix
YAML
git add -A
git commit -qm init

fail() { echo "precommit_test: FAIL: $*" >&2; exit 1; }
run_hook() { pre-commit run "$1" --all-files --color never >"$work/out" 2>&1; }

if run_hook decouple; then cat "$work/out"; fail "hook decouple passed on a bundled service"; fi
grep -q 'DC001' "$work/out" || { cat "$work/out"; fail "hook decouple did not report DC001"; }
echo "precommit_test: ok: decouple fails on the bundled service"

before="$(git hash-object docker-compose.yml)"
if run_hook decouple-fix; then cat "$work/out"; fail "hook decouple-fix passed although it changed files"; fi
[ "$(git hash-object docker-compose.yml)" != "$before" ] || { cat "$work/out"; fail "decouple-fix did not rewrite docker-compose.yml"; }
grep -q 'app-code' docker-compose.yml || { cat docker-compose.yml; fail "no app-code service after the fix"; }
echo "precommit_test: ok: decouple-fix rewrote the files and failed"

git add -A
run_hook decouple || { cat "$work/out"; fail "hook decouple still fails after the fix"; }
echo "precommit_test: ok: decouple passes after the fix"
echo "precommit_test: PASS"
