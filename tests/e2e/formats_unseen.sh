#!/bin/sh
# formats_unseen.sh - every vendor log format written as its vendor or tool
# writes it but as the shared samples do not show it (details the samples
# omit, nulls, counts as strings and reals, keys reordered, unicode
# escapes, streams, error responses, batch outputs (OpenAI's Batch API,
# Anthropic's Message Batches results, Vertex AI's batch prediction
# output), a background Response
# polled to its end, LangChain's Langfuse usage keys, CSV exports with
# columns reordered, quoted and empty cells, a BOM, CRLF): each request's
# tokens as shared/formats/README.md and docs/FORMATS.md count them,
# priced from shared/pricing-sources alone (tests/formats_unseen.py),
# against report --format json by provider and model, to the micro-dollar.
. "$(dirname "$0")/common.inc"
sources=${PRICING_SOURCES:-$root/../shared/pricing-sources}
[ -d "$sources" ] || fail "no pricing sources at $sources (set PRICING_SOURCES)"

"$PYTHON" "$root/tests/formats_unseen.py" --burnrate "$BURNRATE" \
	--sources "$sources" --work "$tmp/all" >"$tmp/all.out" ||
	fail "formats read otherwise than documented: $(cat "$tmp/all.out")"
grep -q '^5[0-9] rows in 15 files, 0 disagree$' "$tmp/all.out" ||
	fail "too few rows compared: $(cat "$tmp/all.out")"

# The comparison sees a wrong figure: the oracle's own gpt-4o at $3/$10
# disagrees in the OpenAI chat log and the Langfuse export (and nowhere
# else: its Helicone requests carry their logged cost).
if "$PYTHON" "$root/tests/formats_unseen.py" --burnrate "$BURNRATE" --sources "$sources" \
	--work "$tmp/control" --override gpt-4o-2024-08-06=3/10 >"$tmp/control.out"; then
	fail "a wrong gpt-4o price passed: $(cat "$tmp/control.out")"
fi
for f in openai_chat.jsonl langfuse.csv; do
	grep -q "^$f openai/gpt-4o-2024-08-06 cost_usd: got " "$tmp/control.out" ||
		fail "the $f row of gpt-4o is not named: $(cat "$tmp/control.out")"
done
[ "$(grep -c 'cost_usd' "$tmp/control.out")" -eq 2 ] ||
	fail "a wrong gpt-4o price disagreed elsewhere: $(cat "$tmp/control.out")"
