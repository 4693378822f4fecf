#!/usr/bin/env bash
# Security checks of our own code (bandit) and of the pinned dependencies (pip-audit).
#
# bandit fails the build on any high-severity finding; a finding reviewed and judged safe is
# marked in place with `# nosec <test id>: <why>`, so the reason sits next to the code.
# pip-audit needs an advisory source (PyPI's JSON API or OSV). Where neither answers, as on a
# closed network that only mirrors the package index, it says so plainly and does not pretend
# the dependencies were audited.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

echo "== bandit (our code; fails on high severity)"
"$VENV/bin/bandit" -q -r src -c pyproject.toml --severity-level high || exit 1
echo "bandit: no unexplained high-severity finding"

echo "== pip-audit (requirements.lock)"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
"$VENV/bin/pip-audit" -r requirements.lock --no-deps --disable-pip --progress-spinner off \
    -f json -o "$report" 2>/dev/null
"$VENV/bin/python" - "$report" <<'PY'
import json
import sys

try:
    dependencies = json.load(open(sys.argv[1]))["dependencies"]
except (OSError, ValueError, KeyError):
    print("pip-audit: NOT RUN - it produced no report (no advisory source answered).")
    sys.exit(0)
skipped = [d["name"] for d in dependencies if d.get("skip_reason")]
audited = [d for d in dependencies if not d.get("skip_reason")]
vulnerable = [d for d in audited if d.get("vulns")]
if not audited:
    print(
        f"pip-audit: NOT RUN - no advisory source answered from this machine for any of the "
        f"{len(dependencies)} pinned dependencies (PyPI's JSON API is not mirrored here). "
        "They were NOT checked against known vulnerabilities; run `make audit` where PyPI "
        "or OSV answers."
    )
    sys.exit(0)
for dependency in vulnerable:
    ids = ", ".join(v["id"] for v in dependency["vulns"])
    print(f"pip-audit: {dependency['name']} {dependency['version']}: {ids}")
if skipped:
    print(f"pip-audit: {len(skipped)} dependencies could not be audited: {', '.join(skipped)}")
print(f"pip-audit: {len(audited)} audited, {len(vulnerable)} with known vulnerabilities")
sys.exit(1 if vulnerable else 0)
PY
