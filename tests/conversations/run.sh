#!/usr/bin/env bash
# Conversation tests: the test stories in tests/conversations/*.yml against the model trained
# on the current training data (trained first if there is none; `bokbot train` skips training
# when a model for this data exists). `rasa test core` replays each story and checks that the
# assistant predicts every action in it; custom actions are not run, so no books or action
# server are needed. Exits non-zero, printing the failed stories, when any prediction differs.
#
#   tests/conversations/run.sh            # all stories
#   tests/conversations/run.sh time.yml   # one file
#   MODEL=models/bokbot-....tar.gz tests/conversations/run.sh   # a given model, no training
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

stories="tests/conversations"
if [[ $# -gt 0 ]]; then
  stories="tests/conversations/$1"
fi

model="${MODEL:-}"
if [[ -z "$model" ]]; then
  .venv/bin/bokbot train >/dev/null
  model="$(.venv/bin/python -c 'from bot.training import model_path; from ledger.settings import PROJECT_ROOT; print(model_path(PROJECT_ROOT / "models"))')"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

PYTHONPATH="$root" RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 \
  .venv-rasa/bin/python -m rasa test core \
    --model "$model" \
    --stories "$stories" \
    --out "$out" \
    --no-plot >"$out/rasa.log" 2>&1 || { cat "$out/rasa.log"; exit 1; }

failed="$out/failed_test_stories.yml"
if [[ -s "$failed" ]] && grep -q "story:" "$failed"; then
  echo "Conversation tests failed: these stories went another way (see '# predicted:' lines):"
  cat "$failed"
  exit 1
fi
if [[ -d "$stories" ]]; then files=("$stories"/*.yml); else files=("$stories"); fi
total="$(cat "${files[@]}" | grep -c -- "- story:")"
echo "Conversation tests passed: ${total} stories."
