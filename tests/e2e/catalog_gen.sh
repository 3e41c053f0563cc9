#!/bin/sh
# catalog_gen.sh - the built-in price catalog is reproducible and right:
# re-running tools/gen_catalog.py on the public sources reproduces
# data/catalog.csv and data/aliases.csv byte for byte, docs/PRICES.md quotes
# the catalog's sha256, spot rows and aliases are what the sources say,
# burnrate loads the catalog and prices history, long-context and snapshot
# rows as documented, and prices every model of each source under each
# name logs give it as the source does.
. "$(dirname "$0")/common.inc"
sources=${PRICING_SOURCES:-$root/../shared/pricing-sources}

[ -d "$sources" ] || fail "no pricing sources at $sources (set PRICING_SOURCES)"
catalog=$root/data/catalog.csv
aliases=$root/data/aliases.csv
[ -f "$catalog" ] && [ -f "$aliases" ] || fail "data/catalog.csv or data/aliases.csv missing"

# 1. Reproducible, twice over (no dependence on hash seeds or run order).
for seed in 1 2; do
	PYTHONHASHSEED=$seed "$PYTHON" "$root/tools/gen_catalog.py" \
		--sources "$sources" --out "$tmp/gen$seed" >"$tmp/gen$seed.out" ||
		fail "generator exited $? (seed $seed)"
	cmp "$tmp/gen$seed/catalog.csv" "$catalog" ||
		fail "data/catalog.csv differs from a fresh run; regenerate it"
	cmp "$tmp/gen$seed/aliases.csv" "$aliases" ||
		fail "data/aliases.csv differs from a fresh run; regenerate it"
done
sum=$(sha256sum "$catalog" | cut -d' ' -f1)
grep -q "catalog.csv sha256 $sum" "$tmp/gen1.out" ||
	fail "the generator does not print the catalog's sha256"
grep -q "$sum" "$root/docs/PRICES.md" ||
	fail "docs/PRICES.md does not quote the catalog's sha256 $sum"
# Every catalog the README and the docs show as a report names it
# ("built-in DATE sha256:PREFIX…") is this one (the README's example
# quoted an older catalog's ef06…).
quoted_sums "$sum" "the catalog" 'built-in [0-9-]*' "$root/README.md" \
	"$root"/docs/[A-OQ-Z]*.md "$root"/docs/PRICES.md "$root"/docs/burnrate.1

# 2. The generator fails cleanly on a broken source.
mkdir "$tmp/bad"
cp "$sources"/* "$tmp/bad/"
chmod u+w "$tmp/bad"/*
echo '{"broken": ' >"$tmp/bad/genai_prices_data.json"
if "$PYTHON" "$root/tools/gen_catalog.py" --sources "$tmp/bad" \
	--out "$tmp/badout" >/dev/null 2>"$tmp/bad.err"; then
	fail "the generator accepted a broken genai_prices_data.json"
fi
grep -q '^gen_catalog: error: ' "$tmp/bad.err" || fail "no error message for a broken source"
[ ! -e "$tmp/badout/catalog.csv" ] || fail "a failed run wrote a catalog"
# ... and on a regex match rule it cannot say as a POSIX ERE.
"$PYTHON" - "$sources/genai_prices_data.json" "$tmp/bad/genai_prices_data.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
m = next(m for p in d if p["id"] == "x-ai" for m in p["models"]
         if m["id"] == "grok-4.3")
m["match"]["or"][1]["regex"] = r"^grok-4\.3-(\d{8}|latest)$"
json.dump(d, open(sys.argv[2], "w"))
EOF
if "$PYTHON" "$root/tools/gen_catalog.py" --sources "$tmp/bad" \
	--out "$tmp/badout" >/dev/null 2>"$tmp/bad.err"; then
	fail "the generator accepted a regex it cannot translate"
fi
grep -q "^gen_catalog: error: x-ai/grok-4.3: regex .*cannot translate '(' .*POSIX ERE" "$tmp/bad.err" ||
	fail "no error message for an untranslatable regex: $(cat "$tmp/bad.err")"

# 3. Spot rows: exact lines of the committed catalog.
row() { grep -qxF -- "$1" "$catalog" || fail "catalog lacks the row: $1"; }
norow() { ! grep -q -- "$1" "$catalog" || fail "catalog has an unexpected row: $1"; }
row 'provider,model,from,input,output,cache_read,cache_write,cache_write_1h,reasoning,min_input_tokens,tier,source'
# genai-prices history: o3 before and after the 2025-06-10 price cut, with
# LiteLLM's flex and priority tiers from the version whose price they go
# with: before it, $10/$40 (and a $0.50 cache read) is no multiple of
# LiteLLM's $2/$8/$0.50, so no tier rows (unpriced, not LiteLLM's $1/$4).
row 'openai,o3,,10,40,0.5,,,,,standard,genai-prices'
row 'openai,o3,2025-06-10,2,8,0.5,,,,,standard,genai-prices'
row 'openai,o3,2025-06-10,3.5,14,0.875,,,,,priority,litellm'
norow '^openai,o3,,.*,\(flex\|priority\),'
# Tier versions follow the standard ones: LiteLLM states gemini-3.6-flash
# at $1.50/$7.50 (batch $0.75/$3.75), genai-prices' $0.75/$3.75 until
# 2027-01-01 is half of it: the tiers at half until then (they were
# missing: Gemini Batch Mode requests unpriced); gpt-5.6-luna's tiers
# scale with its 2026-07-30 cut to a fifth.
# A tier's reasoning: LiteLLM states gemini-3.6-flash's only as the
# standard output rate ($7.50): reasoning billed as output, in a tier at
# the tier's output rate (the cell empty), not $7.50 (twice batch output).
row 'google,gemini-3.6-flash,,0.375,1.875,0.075,,,,,batch,litellm'
row 'google,gemini-3.6-flash,2027-01-01,0.75,3.75,0.15,,,,,batch,litellm'
row 'google,gemini-3.6-flash,,1.35,6.75,0.135,,,,,priority,litellm'
row 'vertex_ai,gemini-3.6-flash,,0.75,3.75,0.15,,,,,batch,litellm'
row 'vertex_ai,gemini-3.6-flash,,1.5,7.5,0.15,,,7.5,,standard,litellm'
row 'openai,gpt-5.6-luna,,0.5,3,0.1,1.25,,,,batch,litellm'
row 'openai,gpt-5.6-luna,2026-07-30,0.1,0.6,0.02,0.25,,,,batch,litellm'
# A dated snapshot genai-prices lumps into gpt-4o keeps its own price.
row 'openai,gpt-4o-2024-05-13,,5,15,,,,,,standard,litellm'
row 'openai,gpt-4o,,2.5,10,1.25,,,,,standard,genai-prices'
row 'openai,gpt-4o,,1.25,5,1.25,,,,,batch,litellm'
# Embeddings: input only, output $0 stated, cache cells empty (the input
# rate); LiteLLM's batch rate; genai-prices' Voyage under LiteLLM's
# provider id; a per-1K price written per token is no price.
row 'openai,text-embedding-3-small,,0.02,0,,,,,,standard,genai-prices'
row 'openai,text-embedding-3-small,,0.01,0,,,,,,batch,litellm'
row 'bedrock,amazon.titan-embed-text-v2:0,,0.02,0,,,,,,standard,litellm'
row 'mistral,codestral-embed,,0.15,0,,,,,,standard,litellm'
row 'voyage,voyage-3-large,,0.18,0,,,,,,standard,genai-prices'
norow ',embed-multilingual-light-v3.0,'
norow 'marengo-embed'
# Long context: the whole request at the tier rate above 200k total input.
row 'anthropic,claude-sonnet-4-5,,3,15,0.3,3.75,6,,,standard,genai-prices'
row 'anthropic,claude-sonnet-4-5,,6,22.5,0.6,7.5,12,,200001,standard,genai-prices'
# Fast mode: Opus 4.6 at 6x every rate (LiteLLM's provider_specific_entry),
# its history and long-context tier included; the dated name aliased.
row 'anthropic,claude-opus-4-6-fast,,30,150,3,37.5,60,,,standard,genai-prices'
row 'anthropic,claude-opus-4-6-fast,,60,225,6,75,120,,200001,standard,genai-prices'
grep -qxF 'anthropic,claude-opus-4-6-20260205-fast,anthropic,claude-opus-4-6-fast,match-group' "$aliases" ||
	fail "no alias of the dated fast-mode name"
# A version repeats its base row; claude-opus-4-6 dropped its 200k tier.
row 'anthropic,claude-opus-4-6,,10,37.5,1,12.5,20,,200001,standard,genai-prices'
row 'anthropic,claude-opus-4-6,2026-03-13,5,25,0.5,6.25,10,,,standard,genai-prices'
norow '^anthropic,claude-opus-4-6,2026-03-13,.*,200001,'
# A long-context row LiteLLM adds to a genai-prices model takes the base
# row's rates LiteLLM does not state for the threshold (genai-prices' flat
# cache read), never the tier's input rate.
row 'xai,grok-4-0709,,6,30,0.75,,,,128001,standard,litellm'
# A genai-prices model without long-context rows takes those LiteLLM states
# under the names its rule covers; those names become its aliases.
row 'anthropic,claude-sonnet-4-0,,6,22.5,0.6,7.5,12,,200001,standard,litellm'
# A long-context row's unstated 1-hour write keeps its ratio to the input.
row 'vertex_ai,claude-opus-4-6,,10,37.5,1,12.5,20,,200001,standard,genai-prices'
# A LiteLLM 1-hour write outside [5-minute, 2x input] is dropped: the
# dated name becomes an alias of genai-prices' model.
norow '^anthropic,claude-3-opus-20240229,'
norow '^anthropic,claude-sonnet-4-20250514,'
# Bedrock geo prefixes are their own, uplifted, models.
row 'bedrock,us.anthropic.claude-sonnet-4-5-20250929-v1:0,,3.3,16.5,0.33,4.125,6.6,,,standard,litellm'
row 'bedrock,global.anthropic.claude-sonnet-4-5-20250929-v1:0,,3,15,0.3,3.75,6,,,standard,genai-prices'
row 'bedrock,global.anthropic.claude-sonnet-4-5-20250929-v1:0,,6,22.5,0.6,7.5,12,,200001,standard,litellm'
# A name LiteLLM prices as of its snapshot, covered by a genai-prices rule
# with a dated price, takes its versions; LiteLLM's 1-hour write (2x input)
# fills each, scaled with the version (1.5x on 2026-09-01). In-region ids
# are priced as genai-prices' regional bucket says (LiteLLM: $2/$10).
row 'bedrock,us.anthropic.claude-sonnet-5,,2.2,11,0.22,2.75,4.4,,,standard,genai-prices'
row 'bedrock,us.anthropic.claude-sonnet-5,2026-09-01,3.3,16.5,0.33,4.125,6.6,,,standard,genai-prices'
row 'bedrock,global.anthropic.claude-sonnet-5,2026-09-01,3,15,0.3,3.75,6,,,standard,genai-prices'
row 'bedrock,anthropic.claude-sonnet-5,,2.2,11,0.22,2.75,4.4,,,standard,genai-prices'
# LiteLLM changelog history (one field, persisted): seen 2025-10-04.
row 'deepinfra,google/gemma-3-27b-it,,0.09,0.17,,,,,,standard,litellm-changelog'
row 'deepinfra,google/gemma-3-27b-it,2025-10-04,0.09,0.16,,,,,,standard,litellm'
# Per-token floats are converted exactly; long tails round half-even.
row 'databricks,databricks-claude-sonnet-4-5,,2.99999,15.00002,,,,,,standard,litellm'
# Time-of-day genai-prices entries are skipped; LiteLLM prices DeepSeek.
row 'deepseek,deepseek-reasoner,,0.28,0.42,0.028,,,,,standard,litellm'
# A LiteLLM key that lost a collision is a model of its own, under its
# key, at its own rates, with its changelog history.
row 'google,gemini/gemini-flash-latest,,0.3,2.5,0.075,,,2.5,,standard,litellm'
row 'google,gemini-flash-latest,,0.3,2.5,0.03,,,2.5,,standard,litellm'
row 'bedrock,bedrock/moonshotai.kimi-k2.5,,0.73,3.03,,,,,,standard,litellm-changelog'
row 'bedrock,bedrock/moonshotai.kimi-k2.5,2026-02-13,0.6,3.03,,,,,,standard,litellm'
# Rates derived from the vendors' rules (docs/PRICES.md): a service tier
# without long-context rows takes the standard tier's ratio (OpenAI:
# gpt-5.4 above 272k at 2x input, 1.5x output for batch and flex; Google
# and Anthropic: batch at 50% of standard at every size), and a Claude
# row's unstated 1-hour write is Anthropic's 2x input.
row 'openai,gpt-5.4,,2.5,11.25,0.5,,,,272001,batch,litellm'
row 'openai,gpt-5.4,,2.5,11.25,0.26,,,,272001,flex,litellm'
row 'openai,gpt-5.4,,10,45,1,,,,272001,priority,litellm'
row 'google,gemini-3-pro-preview,,2,9,0.4,,,,200001,batch,litellm'
row 'vertex_ai,claude-sonnet-4-5,,3,11.25,0.6,7.5,12,,200001,batch,litellm'
row 'bedrock,global.anthropic.claude-opus-4-6-v1:0,,5,25,0.5,6.25,10,,,standard,genai-prices'
row 'bedrock,anthropic.claude-sonnet-4-20250514-v1:0,,6,22.5,0.6,7.5,12,,200001,standard,litellm'
row 'openrouter,anthropic/claude-opus-4.6-fast,,30,150,3,37.5,60,,,standard,genai-prices'
# ... and nowhere else: a provider bills no Anthropic cache write there.
row 'databricks,databricks-claude-sonnet-4-5,,2.99999,15.00002,,,,,,standard,litellm'
row 'snowflake,claude-sonnet-4-5,,3,15,0.3,,,,,standard,litellm'
"$PYTHON" - "$catalog" <<'EOF' || fail "derived rates do not check out"
import csv, sys
from decimal import Decimal as D
rows = list(csv.DictReader(open(sys.argv[1])))
bad = 0
lc = {}
for r in rows:
    if r["min_input_tokens"]:
        lc.setdefault((r["provider"], r["model"], r["tier"]), set()).add(
            r["min_input_tokens"])
# Every service tier of a model whose standard tier has long-context rows
# has them at the same thresholds (64: LiteLLM's 24, 40 derived).
tiers = {(r["provider"], r["model"], r["tier"]) for r in rows}
n = 0
for p, m, t in sorted(tiers):
    if t != "standard" and (p, m, "standard") in lc:
        n += 1
        if lc.get((p, m, t)) != lc[(p, m, "standard")]:
            print("no long-context rows:", p, m, t); bad += 1
if n != 64:
    print("%d service tiers of models with long context, not 64" % n); bad += 1
# A Claude row with Anthropic's 5-minute write (1.2-1.25x input) has a
# 1-hour write, and every Claude 1-hour write is 2x the row's input.
for r in rows:
    if "claude" not in r["model"].lower():
        continue
    i = D(r["input"])
    w = D(r["cache_write"]) if r["cache_write"] else None
    h = D(r["cache_write_1h"]) if r["cache_write_1h"] else None
    if w is not None and D("1.2") * i <= w <= D("1.25") * i and h != 2 * i:
        print("Claude 1-hour write not 2x input:", r); bad += 1
sys.exit(1 if bad else 0)
EOF
# Region-scoped and zero-priced LiteLLM keys are not models.
norow '^bedrock,us-east-1/'
norow '^ollama,'

# 4. Spot aliases.
alias() { grep -qxF -- "$1" "$aliases" || fail "aliases lack: $1"; }
noalias() { ! grep -q -- "$1" "$aliases" || fail "unexpected alias: $1"; }
alias 'alias_provider,alias_model,provider,model,rule'
alias ',openai/gpt-4o,openai,gpt-4o,prefix'
alias ',gemini/gemini-2.5-pro,google,gemini-2.5-pro,prefix'
alias ',vertex_ai/claude-sonnet-4-5@20250929,vertex_ai,claude-sonnet-4-5@20250929,prefix'
alias 'anthropic,claude-sonnet-4-5-20250929,anthropic,claude-sonnet-4-5,date-suffix'
alias 'anthropic,claude-sonnet-4.5,anthropic,claude-sonnet-4-5,spelling'
alias 'openai,o3-2025-04-16,openai,o3,date-suffix'
alias 'anthropic,claude-sonnet-4-20250514,anthropic,claude-sonnet-4-0,match-group'
alias 'anthropic,claude-4-sonnet-20250514,anthropic,claude-sonnet-4-0,match-group'
alias 'anthropic,claude-3-opus-20240229,anthropic,claude-3-opus-latest,match-group'
alias 'anthropic,claude-3-haiku-20240307,anthropic,claude-3-haiku,date-suffix'
noalias '^openai,gpt-4o-2024-05-13,'
noalias ',us.anthropic.claude-sonnet-4-5-20250929-v1:0,bedrock,anthropic'
# A LiteLLM key that lost a collision (priced differently) names its own
# model, for any provider, never the winner's, also when it is the
# winner's caller route (LiteLLM's gemini/gemini-flash-latest has a $0.075
# cache read, gemini-flash-latest $0.03), and has no route of its own.
alias ',gemini/gemini-flash-latest,google,gemini/gemini-flash-latest,prefix'
alias ',bedrock/moonshotai.kimi-k2.5,bedrock,bedrock/moonshotai.kimi-k2.5,prefix'
alias ',vertex_ai/gemini-3-flash-preview,vertex_ai,vertex_ai/gemini-3-flash-preview,prefix'
noalias '^[^,]*,gemini/gemini-flash-latest,google,gemini-flash-latest,'
noalias ',models/gemini/gemini-flash-latest,'
noalias ',bedrock/invoke/bedrock/'
# genai-prices' regex rules, as POSIX EREs for their provider.
alias 'xai,^grok-4\.3-[0-9]{8}$,xai,grok-4.3,regex'
alias 'openai,^gpt-5\.6-luna-[0-9]{4}-[0-9]{2}-[0-9]{2}$,openai,gpt-5.6-luna,regex'
alias 'google,^gemini-3\.5-flash-[0-9],google,gemini-3.5-flash,regex'
[ "$(grep -c '^[^,]*,^[^,]*,[^,]*,[^,]*,regex$' "$aliases")" -eq 27 ] ||
	fail "not 27 regex aliases (13 rules, 14 of them behind a route)"
# Every route LiteLLM callers use, before the names only genai-prices
# prices too (bedrock/global.anthropic.claude-sonnet-5-v1:0 had none, and
# a LiteLLM log naming it was unpriced), and before a pattern; for the
# route's provider only (Groq's openai/gpt-oss-20b is not OpenAI's).
alias 'bedrock,bedrock/global.anthropic.claude-sonnet-5-v1:0,bedrock,global.anthropic.claude-sonnet-5-v1:0,prefix'
alias 'bedrock,bedrock/invoke/global.anthropic.claude-sonnet-5-v1:0,bedrock,global.anthropic.claude-sonnet-5-v1:0,prefix'
alias 'openrouter,openrouter/anthropic/claude-sonnet-5,openrouter,anthropic/claude-sonnet-5,prefix'
alias 'anthropic,anthropic/claude-5-sonnet,anthropic,claude-sonnet-5,prefix'
alias 'openai,openai/gpt-oss-20b,openai,gpt-oss-20b,prefix'
alias 'openai,^openai/gpt-5\.6-luna-[0-9]{4}-[0-9]{2}-[0-9]{2}$,openai,gpt-5.6-luna,regex'
noalias 'bedrock_mantle/anthropic\.'
# The Gemini API's resource name is a route of Google's.
alias 'google,models/gemini-2.5-pro,google,gemini-2.5-pro,prefix'
alias 'google,^models/gemini-3\.5-flash-[0-9],google,gemini-3.5-flash,regex'
# Every alias target is a catalog model, and no alias shadows one.
"$PYTHON" - "$catalog" "$aliases" <<'EOF' || fail "alias targets do not check out"
import csv, sys
models = {(r["provider"], r["model"]) for r in csv.DictReader(open(sys.argv[1]))}
bad = 0
for a in csv.DictReader(open(sys.argv[2])):
    if (a["provider"], a["model"]) not in models:
        print("alias target missing:", a); bad += 1
    if a["alias_provider"] and (a["alias_provider"], a["alias_model"]) in models:
        print("alias shadows a model:", a); bad += 1
    if a["rule"] not in ("prefix", "date-suffix", "spelling", "match-group",
                         "regex"):
        print("unknown rule:", a); bad += 1
sys.exit(1 if bad else 0)
EOF

# 5. burnrate loads the catalog (duplicates would be rejected) and prices
# with it as documented: history by UTC day, the long-context cliff at
# total input > 200,000 (cache reads included), and a dated snapshot.
[ -x "$BURNRATE" ] || fail "no burnrate binary at $BURNRATE"
cd "$tmp"
cat >log.jsonl <<'EOF'
{"timestamp":"2025-06-09T23:59:59Z","provider":"openai","model":"o3","request_id":"o3-old","usage":{"input_tokens":1000000,"output_tokens":1000000,"cache_read_tokens":1000000}}
{"timestamp":"2025-06-10T00:00:00Z","provider":"openai","model":"o3","request_id":"o3-new","usage":{"input_tokens":1000000,"output_tokens":1000000,"cache_read_tokens":1000000}}
{"timestamp":"2025-10-01T12:00:00Z","provider":"anthropic","model":"claude-sonnet-4-5","request_id":"s-at","usage":{"input_tokens":150000,"output_tokens":10000,"cache_read_tokens":50000}}
{"timestamp":"2025-10-02T12:00:00Z","provider":"anthropic","model":"claude-sonnet-4-5","request_id":"s-above","usage":{"input_tokens":150001,"output_tokens":10000,"cache_read_tokens":50000}}
{"timestamp":"2025-10-03T12:00:00Z","provider":"openai","model":"gpt-4o-2024-05-13","request_id":"g","usage":{"input_tokens":1000000,"output_tokens":1000000}}
{"timestamp":"2025-10-03T12:00:00Z","provider":"deepinfra","model":"google/gemma-3-27b-it","request_id":"d-old","usage":{"input_tokens":0,"output_tokens":1000000}}
{"timestamp":"2025-10-04T00:00:00Z","provider":"deepinfra","model":"google/gemma-3-27b-it","request_id":"d-new","usage":{"input_tokens":0,"output_tokens":1000000}}
{"timestamp":"2026-05-01T12:00:00Z","provider":"xai","model":"grok-4","request_id":"grok-lc","usage":{"input_tokens":50000,"output_tokens":1000,"cache_read_tokens":100000}}
{"timestamp":"2026-05-02T12:00:00Z","provider":"anthropic","model":"claude-sonnet-4","request_id":"s4-lc","usage":{"input_tokens":300000,"output_tokens":1000}}
{"timestamp":"2026-05-02T12:00:00Z","provider":"anthropic","model":"claude-sonnet-4-20250514","request_id":"s4d-lc","usage":{"input_tokens":300000,"output_tokens":1000}}
{"timestamp":"2026-05-03T12:00:00Z","provider":"anthropic","model":"claude-4-sonnet-20250514","request_id":"s4-1h","usage":{"input_tokens":0,"output_tokens":0,"cache_write_1h_tokens":100000}}
{"timestamp":"2026-05-04T12:00:00Z","provider":"anthropic","model":"claude-sonnet-4-20250514","request_id":"s4-lc-1h","usage":{"input_tokens":100000,"output_tokens":0,"cache_write_1h_tokens":200000}}
{"timestamp":"2026-05-04T12:00:00Z","provider":"vertex_ai","model":"claude-opus-4-6","request_id":"o46-lc-1h","usage":{"input_tokens":100000,"output_tokens":0,"cache_write_1h_tokens":200000}}
{"timestamp":"2026-05-05T12:00:00Z","provider":"anthropic","model":"claude-3-opus-20240229","request_id":"o3-1h","usage":{"input_tokens":0,"output_tokens":0,"cache_write_1h_tokens":1000000}}
{"timestamp":"2026-05-05T12:00:00Z","provider":"anthropic","model":"claude-3-haiku-20240307","request_id":"h3-1h","usage":{"input_tokens":0,"output_tokens":0,"cache_write_1h_tokens":1000000}}
{"timestamp":"2026-05-06T12:00:00Z","provider":"gemini","model":"gemini/gemini-flash-latest","request_id":"gfl-key","usage":{"input_tokens":1000000,"output_tokens":1000000,"cache_read_tokens":1000000}}
{"timestamp":"2026-05-06T12:00:00Z","provider":"google","model":"gemini-flash-latest","request_id":"gfl","usage":{"input_tokens":1000000,"output_tokens":1000000,"cache_read_tokens":1000000}}
{"timestamp":"2026-02-12T12:00:00Z","provider":"bedrock","model":"bedrock/moonshotai.kimi-k2.5","request_id":"kimi-old","usage":{"input_tokens":1000000,"output_tokens":1000000}}
{"timestamp":"2026-02-13T12:00:00Z","provider":"bedrock","model":"bedrock/moonshotai.kimi-k2.5","request_id":"kimi-new","usage":{"input_tokens":1000000,"output_tokens":1000000}}
{"timestamp":"2026-05-07T12:00:00Z","provider":"openai","model":"gpt-5.4","request_id":"g54-flex","service_tier":"flex","usage":{"input_tokens":300000,"output_tokens":10000}}
{"timestamp":"2026-05-08T12:00:00Z","provider":"openai","model":"gpt-5.4","request_id":"g54-batch","service_tier":"batch","usage":{"input_tokens":300000,"output_tokens":10000}}
{"timestamp":"2026-05-09T12:00:00Z","provider":"openai","model":"gpt-5.4","request_id":"g54-std","usage":{"input_tokens":300000,"output_tokens":10000}}
{"timestamp":"2026-05-10T12:00:00Z","provider":"openai","model":"gpt-5.4","request_id":"g54-prio","service_tier":"priority","usage":{"input_tokens":300000,"output_tokens":10000}}
{"timestamp":"2026-05-07T12:00:00Z","provider":"google","model":"gemini-3-pro-preview","request_id":"g3-batch","service_tier":"batch","usage":{"input_tokens":300000,"output_tokens":10000}}
{"timestamp":"2026-05-08T12:00:00Z","provider":"google","model":"gemini-3-pro-preview","request_id":"g3-std","usage":{"input_tokens":300000,"output_tokens":10000}}
{"timestamp":"2026-05-07T12:00:00Z","provider":"bedrock","model":"global.anthropic.claude-opus-4-6-v1:0","request_id":"o46-1h","usage":{"input_tokens":0,"output_tokens":0,"cache_write_1h_tokens":1000000}}
{"timestamp":"2026-05-07T12:00:00Z","provider":"bedrock","model":"global.anthropic.claude-sonnet-4-6-v1:0","request_id":"s46-1h","usage":{"input_tokens":0,"output_tokens":0,"cache_write_1h_tokens":1000000}}
EOF
"$BURNRATE" --store st init >/dev/null
"$BURNRATE" --store st ingest --prices "$catalog" --cost-mode calculate log.jsonl \
	>ingest.out 2>&1 || { cat ingest.out >&2; fail "ingest with the catalog exited $?"; }
"$BURNRATE" --store st report --as-of 2099-12-31 --by day,provider,model --format csv \
	--output report.csv || fail "report exited $?"
"$PYTHON" - report.csv <<'EOF' || { cat report.csv >&2; fail "catalog prices differ"; }
import csv, sys
want = {
    ("2025-06-09", "o3"): "50.500000",         # 10 + 40 + 0.5
    ("2025-06-10", "o3"): "10.500000",         # 2 + 8 + 0.5
    ("2025-10-01", "claude-sonnet-4-5"): "0.615000",   # 200,000: base
    ("2025-10-02", "claude-sonnet-4-5"): "1.155006",   # 200,001: all at 2x
    ("2025-10-03", "gpt-4o-2024-05-13"): "20.000000",
    ("2025-10-03", "google/gemma-3-27b-it"): "0.170000",
    ("2025-10-04", "google/gemma-3-27b-it"): "0.160000",
    # 150,000 > 128,000: 50k x $6 + 1k x $30 + 100k cached x $0.75 (the
    # flat cache read, not the tier's $6 input: was 0.930000)
    ("2026-05-01", "grok-4"): "0.405000",
    # Sonnet 4 above 200k under any spelling: 300k x $6 + 1k x $22.50
    # (claude-sonnet-4 was 0.915000, without the 200k row)
    ("2026-05-02", "claude-sonnet-4"): "1.822500",
    ("2026-05-02", "claude-sonnet-4-20250514"): "1.822500",
    # 100k 1-hour writes at Sonnet 4's $6 (was 0.375000, the 5-minute rate)
    ("2026-05-03", "claude-4-sonnet-20250514"): "0.600000",
    # Above 200k, 1-hour writes at 2x the tier's input: 100k x $6 + 200k x
    # $12 (was 1.800000 at the base $6) and 100k x $10 + 200k x $20 (was
    # 3.500000 at the tier's 5-minute $12.50)
    ("2026-05-04", "claude-sonnet-4-20250514"): "3.000000",
    ("2026-05-04", "claude-opus-4-6"): "5.000000",
    # 1M 1-hour writes at genai-prices' $30 and $0.50 (LiteLLM's $6 for
    # both was copied from Sonnet)
    ("2026-05-05", "claude-3-opus-20240229"): "30.000000",
    ("2026-05-05", "claude-3-haiku-20240307"): "0.500000",
    # A LiteLLM key that lost a collision at its own rates (was unpriced):
    # 1M in, out and cached, $0.075 cache read against the winner's $0.03;
    # with its changelog history, input $0.73 before 2026-02-13
    ("2026-05-06", "gemini/gemini-flash-latest"): "2.875000",
    ("2026-05-06", "gemini-flash-latest"): "2.830000",
    ("2026-02-12", "bedrock/moonshotai.kimi-k2.5"): "3.760000",
    ("2026-02-13", "bedrock/moonshotai.kimi-k2.5"): "3.630000",
    # A tier without long-context rows at the standard ratio: gpt-5.4
    # above 272k, 300k in and 10k out, flex and batch at OpenAI's 2x input
    # and 1.5x output, $0.8625 (was the flex base $0.45), standard $1.725,
    # priority 300k x $10 + 10k x $45 (was $1.80)
    ("2026-05-07", "gpt-5.4"): "0.862500",
    ("2026-05-08", "gpt-5.4"): "0.862500",
    ("2026-05-09", "gpt-5.4"): "1.725000",
    ("2026-05-10", "gpt-5.4"): "3.450000",
    # gemini-3-pro-preview batch above 200k at half the standard long
    # rates: 300k x $2 + 10k x $9 (was $0.36), standard $1.38
    ("2026-05-07", "gemini-3-pro-preview"): "0.690000",
    ("2026-05-08", "gemini-3-pro-preview"): "1.380000",
    # Bedrock Claude 1-hour writes at 2x input, 1M of them: Opus 4.6 $10,
    # Sonnet 4.6 $6 (were the 5-minute $6.25 and $3.75)
    ("2026-05-07", "global.anthropic.claude-opus-4-6-v1:0"): "10.000000",
    ("2026-05-07", "global.anthropic.claude-sonnet-4-6-v1:0"): "6.000000",
}
got = {}
for r in csv.DictReader(open(sys.argv[1])):
    got[(r["day"], r["model"])] = r["cost_usd"]
bad = [(k, v, got.get(k)) for k, v in want.items() if got.get(k) != v]
for k, v, g in bad:
    print("%s %s: want %s, got %s" % (k[0], k[1], v, g))
sys.exit(1 if bad else 0)
EOF
# prices show lists the derived rows: gpt-5.4 flex above 272k, Bedrock's
# Opus 4.6 1-hour write.
"$BURNRATE" prices show gpt-5.4 --provider openai >show.out ||
	fail "prices show gpt-5.4 exited $?"
sed -n '/^  flex tier/,/^  priority tier/p' show.out >flex.out
grep -q 'requests with 272001 or more input tokens' flex.out &&
	grep -q '^      input            \$2\.5$' flex.out &&
	grep -q '^      output           \$11\.25$' flex.out ||
	fail "prices show gpt-5.4 lacks flex's long-context row: $(cat show.out)"
"$BURNRATE" prices show global.anthropic.claude-opus-4-6-v1:0 | grep -q '^      cache write 1h   \$10\.0$' ||
	fail "prices show global.anthropic.claude-opus-4-6-v1:0 lacks the \$10 1-hour write"

# 6. The binary names the catalog by the generator's snapshot date.
snap=$(sed -n 's/^SNAPSHOT_DATE = "\(.*\)"$/\1/p' "$root/tools/gen_catalog.py")
grep -q "^#define BUILTIN_DATE \"$snap\"" "$root/core/catalog.c" ||
	fail "core/catalog.c's BUILTIN_DATE is not the generator's SNAPSHOT_DATE $snap"
"$BURNRATE" prices check | grep -q "(built-in $snap sha256:$sum)" ||
	fail "burnrate does not name its catalog as built-in $snap sha256:$sum"

# 7. Every model of each source, under each name logs give it (bare,
# behind LiteLLM's routes, Bedrock ARNs, Gemini's models/, genai-prices'
# spellings and regex-named snapshots), is priced at the rates its source
# states, computed from the sources alone (tests/resolvediff.py).
"$PYTHON" "$root/tests/resolvediff.py" --burnrate "$BURNRATE" \
	--sources "$sources" --work "$tmp/resolvediff" >"$tmp/resolvediff.out" ||
	fail "model ids priced otherwise than their source: $(cat "$tmp/resolvediff.out")"
echo "catalog_gen: ok ($(($(wc -l <"$catalog") - 1)) rows, sha256 $sum)"
