#!/bin/sh
# formatprice.sh - one request costs what the pricing sources say, in every
# log format that can carry it: every genai-prices model named by its id
# (each dated version the day before, of and after its change) and every
# LiteLLM key no genai-prices rule covers (each service tier it states),
# with each token class the source prices, reasoning, and total inputs one
# below, at and one above each long-context threshold, written as generic,
# OpenAI Chat and Responses, Anthropic, Gemini, Bedrock and LiteLLM
# records, priced from the source files alone (tests/formatprice.py) and
# compared to the micro-dollar.
. "$(dirname "$0")/common.inc"
sources=${PRICING_SOURCES:-$root/../shared/pricing-sources}
[ -d "$sources" ] || fail "no pricing sources at $sources (set PRICING_SOURCES)"

"$PYTHON" "$root/tests/formatprice.py" --burnrate "$BURNRATE" \
	--sources "$sources" --work "$tmp/all" >"$tmp/all.out" ||
	fail "requests priced otherwise than their source: $(cat "$tmp/all.out")"
grep -q '^[0-9]\{5,\} requests in 7 formats, 0 disagree$' "$tmp/all.out" ||
	fail "too few requests compared: $(cat "$tmp/all.out")"

# The comparison sees a wrong price: gpt-4o at $2/$9 (any provider)
# disagrees in the generic, OpenAI, Responses and LiteLLM records of it.
printf 'provider,model,from,input,output,cache_read,cache_write\n,gpt-4o,,2,9,,\n' >"$tmp/p.csv"
if "$PYTHON" "$root/tests/formatprice.py" --burnrate "$BURNRATE" --sources "$sources" \
	--work "$tmp/control" --litellm 0 --prices "$tmp/p.csv" >"$tmp/control.out"; then
	fail "a wrong gpt-4o price passed: $(cat "$tmp/control.out")"
fi
for f in generic openai responses litellm; do
	grep -q "^$f openai/gpt-4o 2026-08-15 standard " "$tmp/control.out" ||
		fail "the $f record of gpt-4o is not named: $(cat "$tmp/control.out")"
done
