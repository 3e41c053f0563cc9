#!/bin/sh
# embeddings.sh - embedding models are priced per input token, output $0
# (docs/PRICES.md): a generic JSONL log of OpenAI text-embedding-3-small
# (standard and batch tier), Bedrock Titan v2, the Gemini API's and
# Vertex's embeddings, Mistral's and Voyage's (genai-prices' provider id)
# costs, to the micro-dollar, what the sources state, computed here from
# them alone; no request is unpriced. Before the catalog took them they
# were all unpriced ("unknown model"), $0 and a warning.
. "$(dirname "$0")/common.inc"
sources=${PRICING_SOURCES:-$root/../shared/pricing-sources}
[ -d "$sources" ] || fail "no pricing sources at $sources (set PRICING_SOURCES)"
cd "$tmp"
rec() { # ID PROVIDER MODEL INPUT [TIER]
	printf '{"timestamp":"2026-07-24T10:00:00Z","request_id":"%s","provider":"%s","model":"%s","agent":"%s","service_tier":"%s","usage":{"input_tokens":%s,"output_tokens":0}}\n' \
		"$1" "$2" "$3" "$1" "${5:-standard}" "$4"
}
{
	rec small1 openai text-embedding-3-small 1234567
	rec small2 openai text-embedding-3-small 8191
	rec smallb openai text-embedding-3-small 5000000 batch
	rec large openai text-embedding-3-large 777777
	rec litellm openai openai/text-embedding-3-small 31
	rec titan bedrock amazon.titan-embed-text-v2:0 999999
	rec titanr bedrock bedrock/amazon.titan-embed-text-v2:0 4242
	rec gemini gemini gemini-embedding-001 123457
	rec vertex vertex_ai text-embedding-004 65536
	rec mistral mistral mistral-embed 100001
	rec voyage voyageai voyage-3-large 333333
} >e.jsonl
"$BURNRATE" --store s init >/dev/null
"$BURNRATE" --store s ingest e.jsonl >/dev/null 2>ingest.err ||
	fail "ingest exited $?: $(cat ingest.err)"
! grep -q 'without a price\|unpriced' ingest.err ||
	fail "embedding requests unpriced: $(cat ingest.err)"
"$BURNRATE" --store s report --since 2026-07-24 --until 2026-07-24 \
	--by agent --format json >r.json
# The expected cost of each request from the source files: LiteLLM's
# input_cost_per_token (its _batches field for the batch tier) times the
# input tokens; genai-prices' input_mtok where it prices the model itself
# (Mistral's mistral-embed, Voyage); the same rates by the other source.
"$PYTHON" - "$sources" r.json e.jsonl <<'EOF' >check.out ||
import json, sys
from decimal import Decimal
src, rep, log = sys.argv[1:]
lite = json.load(open(src + "/litellm_model_prices.json"))
genai = {(p["id"], m["id"]): m["prices"]
         for p in json.load(open(src + "/genai_prices_data.json"))
         for m in p["models"]}
per_token = {
    "small1": lite["text-embedding-3-small"]["input_cost_per_token"],
    "small2": lite["text-embedding-3-small"]["input_cost_per_token"],
    "smallb": lite["text-embedding-3-small"]["input_cost_per_token_batches"],
    "large": lite["text-embedding-3-large"]["input_cost_per_token"],
    "litellm": lite["text-embedding-3-small"]["input_cost_per_token"],
    "titan": lite["amazon.titan-embed-text-v2:0"]["input_cost_per_token"],
    "titanr": lite["amazon.titan-embed-text-v2:0"]["input_cost_per_token"],
    "gemini": lite["gemini/gemini-embedding-001"]["input_cost_per_token"],
    "vertex": lite["text-embedding-004"]["input_cost_per_token"],
}
per_mtok = {"mistral": genai[("mistral", "mistral-embed")]["input_mtok"],
            "voyage": genai[("voyageai", "voyage-3-large")]["input_mtok"]}
# The two sources agree where both price a model.
assert Decimal(repr(per_token["gemini"])) * 10**6 == Decimal(repr(
    genai[("google", "gemini-embedding-001")]["input_mtok"]))
assert Decimal(repr(lite["voyage/voyage-3-large"]["input_cost_per_token"])
               ) * 10**6 == Decimal(repr(per_mtok["voyage"]))
tokens = {}
for line in open(log):
    r = json.loads(line)
    tokens[r["request_id"]] = r["usage"]["input_tokens"]
want = {k: Decimal(repr(v)) * tokens[k] for k, v in per_token.items()}
want.update({k: Decimal(repr(v)) * tokens[k] / 10**6
             for k, v in per_mtok.items()})
rows = {r["agent"]: r for r in json.load(open(rep))["rows"]}
bad = []
for k, cost in sorted(want.items()):
    r = rows.get(k)
    got = None if r is None else Decimal(repr(r["cost_usd"]))
    if r is None or r["unpriced_requests"] or \
            abs(got - cost) > Decimal("0.0000005"):
        bad.append("%s: burnrate %s, source %s" % (
            k, "unpriced" if r and r["unpriced_requests"] else got, cost))
if set(rows) != set(want):
    bad.append("agents %s, want %s" % (sorted(rows), sorted(want)))
if bad:
    print("; ".join(bad))
    sys.exit(1)
EOF
	fail "embedding costs differ from the sources: $(cat check.out)"
# prices show names the model and states the output rate ($0).
"$BURNRATE" prices show text-embedding-3-small --provider openai >show.out ||
	fail "prices show text-embedding-3-small exited $?"
grep -q '^      output           \$0\.0$' show.out ||
	fail "text-embedding-3-small: no output rate of \$0: $(cat show.out)"
echo "embeddings: ok"
