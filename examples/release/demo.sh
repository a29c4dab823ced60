#!/usr/bin/env bash
# One example release through evidence, gates, a deployment record and the ledger.
# Usage: examples/release/demo.sh [BULKHEAD]   (default: .venv/bin/bulkhead)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bulkhead="${1:-.venv/bin/bulkhead}"
python="$(dirname "$bulkhead")/python"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export BULKHEAD_DATABASE_URL="sqlite:///$work/store.db"
export BULKHEAD_LEDGER_KEY_FILE="$work/ledger.key"
export BULKHEAD_ACTOR="release-bot"

read -r digest commit < <("$python" "$here/generate.py" "$work")
"$bulkhead" db upgrade
"$bulkhead" ledger keygen --private-key "$work/ledger.key" --public-key "$work/ledger.pub" >/dev/null
"$bulkhead" scan "$here/../hardened" --config "$here/../bulkhead.toml" --format json \
  --output "$work/scan.json"

collect() {  # collect ENVIRONMENT REVIEWS OUTPUT
  "$bulkhead" evidence collect --tenant acme --environment "$1" \
    --image ghcr.io/acme/odoo --digest "$digest" --commit "$commit" --repo "$work/repo" \
    --scan "$work/scan.json" --vulns "$here/trivy.json" --sbom "$here/sbom.cdx.json" \
    --signature "$work/image.sig,$work/payload.json" --signature-key "$work/cosign.pub" \
    --provenance "$work/provenance.intoto.json" --provenance-key "$work/build.pub" \
    --allowed-builder "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0" \
    --reviews "$2" --risks "$here/exceptions.yaml" --output "$3" 2>/dev/null
}

echo "== gate to staging (expect: allow, exit 0) =="
collect staging "$here/reviews-one-approval.json" "$work/staging.json"
"$bulkhead" gate --environment staging --tenant acme --evidence "$work/staging.json"
"$bulkhead" deploy record --tenant acme --environment staging --digest "$digest" \
  --commit "$commit" --status healthy >/dev/null
echo
echo "== gate to production with one approval (expect: deny, exit 1) =="
collect prod "$here/reviews-one-approval.json" "$work/prod.json"
code=0
"$bulkhead" gate --environment prod --tenant acme --evidence "$work/prod.json" || code=$?
if [ "$code" -ne 1 ]; then echo "expected exit 1 from the production gate, got $code"; exit 1; fi
echo
echo "== gate to production with two approvals (expect: allow, exit 0) =="
collect prod "$here/reviews-two-approvals.json" "$work/prod.json"
"$bulkhead" gate --environment prod --tenant acme --evidence "$work/prod.json" \
  --vsa "$work/vsa.json"
"$bulkhead" deploy record --tenant acme --environment prod --digest "$digest" \
  --commit "$commit" --status healthy >/dev/null
echo
echo "== ledger verify and trace =="
"$bulkhead" ledger verify --public-key "$work/ledger.pub"
"$bulkhead" trace "$digest"
