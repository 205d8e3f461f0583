#!/usr/bin/env bash
# The GitOps sequence, one step per call, used by both CI files and by the test suite:
#   pipeline.sh synth                  cdktf synth (all stacks)
#   pipeline.sh plan <stack>           terraform plan -detailed-exitcode -out; exit 0 no changes, 2 changes, 1 error
#   pipeline.sh show <stack>           the saved plan as text (for posting to the merge request)
#   pipeline.sh apply <stack>          terraform apply of the saved plan (never a fresh, unreviewed one)
#   pipeline.sh drift <stack>          pexip-cdktf drift; exit 0 no drift, 2 drift, 1 error
#   pipeline.sh repair <stack>         pexip-cdktf repair: undo hand edits; exit 0 nothing to repair, 2 repaired, 1 error
# With PEXIP_* set, synth also checks drift: a hand edit makes the plan replace the reconciler (exit 2), naming it.
# Environment: PEXIP_* (connection), the stack's EPIC_<PROD|NONPROD>_* secrets, CDKTF_OUTDIR (default cdktf.out).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHECKPOINT_DISABLE=1 CDKTF_DISABLE_PLUGIN_CACHE_ENV=1 TF_IN_AUTOMATION=1
out="${CDKTF_OUTDIR:-cdktf.out}"
step="${1:?usage: pipeline.sh synth|plan|show|apply|drift|repair [stack]}"
stack="${2:-}"
dir="$out/stacks/$stack"

need_stack() {
  [ -n "$stack" ] || { echo "error: $step needs a stack name (prod or nonprod)" >&2; exit 1; }
  [ -f "$dir/cdk.tf.json" ] || { echo "error: $dir/cdk.tf.json is missing: run pipeline.sh synth first" >&2; exit 1; }
}

case "$step" in
  synth)
    npx cdktf synth --output "$out"
    ;;
  plan)
    need_stack
    terraform -chdir="$dir" init -input=false -no-color >/dev/null
    set +e
    terraform -chdir="$dir" plan -input=false -no-color -detailed-exitcode -out=plan.tfplan
    code=$?
    set -e
    exit "$code"
    ;;
  show)
    need_stack
    terraform -chdir="$dir" show -no-color plan.tfplan
    ;;
  apply)
    need_stack
    [ -f "$dir/plan.tfplan" ] || { echo "error: no saved plan in $dir: run pipeline.sh plan $stack first" >&2; exit 1; }
    terraform -chdir="$dir" apply -input=false -no-color plan.tfplan
    ;;
  drift | repair)
    need_stack
    node bin/pexip-cdktf.js "$step" "$dir/pexip-desired.json"
    ;;
  *)
    echo "error: unknown step \"$step\"; use synth, plan, show, apply, drift or repair" >&2
    exit 1
    ;;
esac
