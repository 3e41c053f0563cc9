#!/usr/bin/env python3
"""formats_unseen.py - each vendor log format written the way its vendor or
tool writes it but as the shared samples do not show it (tests/e2e/
formats_unseen.sh): fields of the vendors' documented responses the
samples omit (OpenAI prediction and audio details, Responses details,
Anthropic 1-hour cache writes and server tool use, Gemini tool-use prompt,
cached and thought counts, Bedrock cache counts, of streams too, ARNs
and profiles),
nulls, counts written as strings or reals, keys in other orders, unicode
escapes, streams, error responses, batch outputs (OpenAI's Batch API,
Anthropic's Message Batches results, Vertex AI's batch prediction output,
the Gemini API's Batch Mode results),
a background Response polled until
it ends, LangChain's Langfuse usage keys, CSV exports with
columns in another order, quoted and empty cells, a BOM and CRLF.

Each request's counts are decided here from shared/formats/README.md and
docs/FORMATS.md (written beside each record, not computed by burnrate's
rules), and priced from shared/pricing-sources alone (genai-prices'
versions and tiers, LiteLLM's service-tier fields, docs/PRICES.md's
fallbacks: cache rates at the input rate, a tier's unstated rate at the
standard one). Each file is ingested into a store of its own; `report
--format json --by provider,model` must give, per row, the requests,
errors, every token column, the unpriced requests and the cost to the
micro-dollar, and the rejects file must name each rejected line.

Usage: formats_unseen.py --burnrate BIN --sources DIR --work DIR [--prices FILE]
Prints one line per disagreement, then "N rows in M files, K disagree";
exits 1 when any disagrees.
"""
import argparse
import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal as D, ROUND_HALF_UP

# ------------------------------------------------------------------ prices

def load_sources(d):
    genai = json.load(open(os.path.join(d, "genai_prices_data.json")))
    litellm = json.load(open(os.path.join(d, "litellm_model_prices.json")))
    return genai, litellm


class Pricer:
    """(provider, model) -> where its price is stated, for the few models
    the logs below name: a genai-prices model (its dated versions and
    long-context tiers) for the standard tier, a LiteLLM key for the
    others (and for names genai-prices covers only through another
    model's rule, which keep LiteLLM's price: docs/PRICES.md rule 1)."""

    GENAI = {  # (provider, model as logged) -> (genai provider id, model id)
        ("openai", "gpt-4o-2024-08-06"): ("openai", "gpt-4o"),
        ("openai", "gpt-4o-mini-2024-07-18"): ("openai", "gpt-4o-mini"),
        ("openai", "gpt-4o-mini"): ("openai", "gpt-4o-mini"),
        ("openai", "o3-mini-2025-01-31"): ("openai", "o3-mini"),
        ("openai", "o3-mini"): ("openai", "o3-mini"),
        ("openai", "gpt-4.1-2025-04-14"): ("openai", "gpt-4.1"),
        ("openai", "o3-2025-04-16"): ("openai", "o3"),
        ("anthropic", "claude-sonnet-4-5-20250929"): ("anthropic", "claude-sonnet-4-5"),
        ("anthropic", "claude-opus-4-1-20250805"): ("anthropic", "claude-opus-4-1"),
        ("anthropic", "claude-3-5-haiku-20241022"): ("anthropic", "claude-3-5-haiku-latest"),
        ("anthropic", "claude-3-7-sonnet-20250219"): ("anthropic", "claude-3-7-sonnet-latest"),
        ("google", "gemini-2.5-flash"): ("google", "gemini-2.5-flash"),
        ("google", "gemini-2.5-pro"): ("google", "gemini-2.5-pro"),
        ("google", "gemini-2.0-flash"): ("google", "gemini-2.0-flash"),
        ("xai", "grok-3-mini"): ("x-ai", "grok-3-mini"),
        ("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"):
            ("aws", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    }
    LITELLM = {  # (provider, model) -> LiteLLM key
        ("openai", "gpt-4o-2024-08-06"): "gpt-4o",
        ("openai", "gpt-4o-mini-2024-07-18"): "gpt-4o-mini",
        ("openai", "o3-2025-04-16"): "o3",
        ("openai", "text-embedding-3-small"): "text-embedding-3-small",
        ("google", "gemini-2.5-flash-preview-09-2025"): "gemini/gemini-2.5-flash-preview-09-2025",
        ("google", "gemini-3.1-pro-preview"): "gemini/gemini-3.1-pro-preview",
        ("vertex_ai", "gemini-2.5-flash"): "gemini-2.5-flash",
        ("vertex_ai", "gemini-3.1-pro-preview"): "vertex_ai/gemini-3.1-pro-preview",
        ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"):
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0"):
            "anthropic.claude-3-5-haiku-20241022-v1:0",
        ("bedrock", "amazon.titan-embed-text-v2:0"): "amazon.titan-embed-text-v2:0",
    }
    ALIAS = {  # names the catalog resolves to another name's price
        ("aws", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"):
            ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("bedrock", "arn:aws:bedrock:us-west-2::foundation-model/"
                    "anthropic.claude-3-5-haiku-20241022-v1:0"):
            ("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0"),
        ("bedrock", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
                    "us.anthropic.claude-sonnet-4-5-20250929-v1:0"):
            ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    }

    def __init__(self, genai, litellm, override=None):
        self.genai = {(p["id"], m["id"]): m for p in genai for m in p["models"]}
        self.litellm = litellm
        self.override = override or {}

    def rates(self, provider, model, day, tier, total_in):
        """Rates in USD per 1M tokens, or None when unpriced."""
        key = self.ALIAS.get((provider, model), (provider, model))
        if key[1] in self.override:
            return dict(self.override[key[1]])
        if tier == "standard" and key in self.GENAI:
            return self._genai(self.genai[self.GENAI[key]], day, total_in)
        if key in self.LITELLM:
            return self._litellm(self.litellm[self.LITELLM[key]], tier, total_in)
        return None

    @staticmethod
    def _genai(m, day, total_in):
        versions = m["prices"] if isinstance(m["prices"], list) else [{"prices": m["prices"]}]
        chosen = None
        for v in versions:
            start = (v.get("constraint") or {}).get("start_date")
            if start is None or start <= day:
                chosen = v["prices"]
        out = {}
        names = {"input": "input_mtok", "output": "output_mtok",
                 "cache_read": "cache_read_mtok", "cache_write": "cache_write_mtok",
                 "cache_write_1h": "cache_write_1h_mtok"}
        for k, f in names.items():
            x = chosen.get(f)
            if isinstance(x, dict):
                r = x["base"]
                for t in x.get("tiers", []):
                    if total_in > t["start"]:
                        r = t["price"]
                x = r
            if x is not None:
                out[k] = D(str(x))
        return out

    @staticmethod
    def _litellm(v, tier, total_in):
        suffix = {"standard": "", "batch": "_batches", "flex": "_flex",
                  "priority": "_priority"}[tier]
        fields = {"input": "input_cost_per_token", "output": "output_cost_per_token",
                  "cache_read": "cache_read_input_token_cost",
                  "cache_write": "cache_creation_input_token_cost",
                  "cache_write_1h": "cache_creation_input_token_cost_above_1hr"}
        if suffix and not any(k.endswith(suffix) for k in v):
            return None  # no price for the service tier
        above = None
        for k in v:  # the highest long-context threshold below the total
            if k.startswith("input_cost_per_token_above_") and k.endswith("k_tokens"):
                n = int(k[len("input_cost_per_token_above_"):-len("k_tokens")]) * 1000
                if total_in > n and (above is None or n > above):
                    above = n
        out = {}
        for k, f in fields.items():
            cands = []
            if above:
                cands.append("%s_above_%dk_tokens%s" % (f, above // 1000, suffix))
            cands += [f + suffix]
            if above:
                cands.append("%s_above_%dk_tokens" % (f, above // 1000))
            cands.append(f)
            for c in cands:
                if v.get(c) is not None:
                    out[k] = D(repr(v[c])) * 1000000
                    break
        return out

    def cost(self, ev):
        """Pico-dollars of one request, or None when unpriced."""
        total_in = ev["in"] + ev["cr"] + ev["cw"] + ev["cw1h"]
        if total_in + ev["out"] == 0:
            return D(0)
        r = self.rates(ev["provider"], ev["model"], ev["day"], ev["tier"], total_in)
        if r is None or "input" not in r or "output" not in r:
            return None
        r.setdefault("cache_read", r["input"])
        r.setdefault("cache_write", r["input"])
        r.setdefault("cache_write_1h", r["cache_write"])
        usd = (ev["in"] * r["input"] + ev["out"] * r["output"] + ev["cr"] * r["cache_read"] +
               ev["cw"] * r["cache_write"] + ev["cw1h"] * r["cache_write_1h"])
        return usd * 1000000  # per 1M tokens -> pico-dollars


# --------------------------------------------------------------- requests

def req(provider, model, day, i=0, o=0, cr=0, cw=0, cw1h=0, rs=0, tier="standard",
        error=False, logged=None, requests=1, cost_line=False):
    """One request as the docs count it: i is uncached input, o output
    (reasoning included), cw the 5-minute and cw1h the 1-hour writes;
    logged the cost the log states (auto mode takes it, docs/FORMATS.md
    "Cost modes", when it is not 0 of tokens)."""
    return dict(provider=provider, model=model, day=day, **{"in": i}, out=o, cr=cr, cw=cw,
                cw1h=cw1h, rs=rs, tier=tier, error=error, logged=logged,
                requests=requests, cost_line=cost_line)


def dumps(o):
    return json.dumps(o, ensure_ascii=False)


def openai_chat():
    recs, exp = [], []
    day = "2025-10-02"
    # Keys in reverse order; prediction tokens (part of completion_tokens).
    recs.append({"logged_at": "2025-10-02T10:00:00Z", "agent": "a1", "team": "t",
                 "http_status": 200, "x_request_id": "req_1", "response": {
                     "usage": {"completion_tokens_details": {
                         "rejected_prediction_tokens": 30, "accepted_prediction_tokens": 50,
                         "audio_tokens": 0, "reasoning_tokens": 0},
                         "prompt_tokens_details": {"audio_tokens": 0, "cached_tokens": 1024},
                         "total_tokens": 2300, "completion_tokens": 300, "prompt_tokens": 2000},
                     "system_fingerprint": "fp_1", "service_tier": "default",
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": "x"},
                                  "finish_reason": "stop"}],
                     "model": "gpt-4o-2024-08-06", "created": 1759399200,
                     "object": "chat.completion", "id": "chatcmpl-A1"}})
    exp.append(req("openai", "gpt-4o-2024-08-06", day, i=976, o=300, cr=1024))
    # Details null (Azure and proxies write them so).
    recs.append({"logged_at": "2025-10-02T10:01:00Z", "http_status": 200, "response": {
        "id": "chatcmpl-A2", "object": "chat.completion", "created": 1759399260,
        "model": "gpt-4o-2024-08-06", "choices": [],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100,
                  "prompt_tokens_details": None, "completion_tokens_details": None}}})
    exp.append(req("openai", "gpt-4o-2024-08-06", day, i=1000, o=100))
    # Counts as strings, a unicode escape in the model.
    recs.append('{"logged_at":"2025-10-02T10:02:00Z","http_status":200,"response":'
                '{"id":"chatcmpl-A3","object":"chat.completion","created":1759399320,'
                '"model":"gpt\\u002d4o-mini-2024-07-18","usage":{"prompt_tokens":"1500",'
                '"completion_tokens":"200","total_tokens":"1700",'
                '"prompt_tokens_details":{"cached_tokens":"500"}}}}')
    exp.append(req("openai", "gpt-4o-mini-2024-07-18", day, i=1000, o=200, cr=500))
    # A stream with include_usage: chunks with usage null, then the usage.
    for k, usage in enumerate([None, None, {
            "prompt_tokens": 3000, "completion_tokens": 2000, "total_tokens": 5000,
            "prompt_tokens_details": {"cached_tokens": 2048, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 1500, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0,
                                          "rejected_prediction_tokens": 0}}]):
        recs.append({"logged_at": "2025-10-02T10:03:0%dZ" % k, "http_status": 200,
                     "response": {"id": "chatcmpl-A4", "object": "chat.completion.chunk",
                                  "created": 1759399380, "model": "o3-mini-2025-01-31",
                                  "choices": [] if usage else [{"index": 0, "delta": {
                                      "content": "hi"}, "finish_reason": None}],
                                  "usage": usage}})
    exp.append(req("openai", "o3-mini-2025-01-31", day, i=952, o=2000, cr=2048, rs=1500))
    # An error response: no model, no usage.
    recs.append({"logged_at": "2025-10-02T10:04:00Z", "http_status": 429,
                 "x_request_id": "req_5", "response": {"error": {
                     "message": "Rate limit reached", "type": "requests", "param": None,
                     "code": "rate_limit_exceeded"}}})
    exp.append(req("openai", "unknown", day, error=True))
    # A Batch API output line: batch tier whatever the body says.
    recs.append({"id": "batch_req_1", "custom_id": "c1", "response": {
        "status_code": 200, "request_id": "req_b1", "body": {
            "id": "chatcmpl-B1", "object": "chat.completion", "created": 1759400000,
            "model": "gpt-4o-mini-2024-07-18", "choices": [],
            "usage": {"prompt_tokens": 10000, "completion_tokens": 1000, "total_tokens": 11000,
                      "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0}},
            "service_tier": "default"}}, "error": None})
    exp.append(req("openai", "gpt-4o-mini-2024-07-18", day, i=10000, o=1000, tier="batch"))
    # Whole reals, a priority tier, a null prompt count.
    recs.append('{"logged_at":"2025-10-02T10:05:00Z","http_status":200,"response":'
                '{"id":"chatcmpl-A6","object":"chat.completion","created":1759399500.0,'
                '"model":"gpt-4o-2024-08-06","usage":{"prompt_tokens":1000.0,'
                '"completion_tokens":1e2,"total_tokens":1100}}}')
    exp.append(req("openai", "gpt-4o-2024-08-06", day, i=1000, o=100))
    recs.append({"logged_at": "2025-10-02T10:06:00Z", "http_status": 200, "response": {
        "id": "chatcmpl-A7", "object": "chat.completion", "created": 1759399560,
        "model": "gpt-4o-2024-08-06", "service_tier": "priority",
        "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100}}})
    exp.append(req("openai", "gpt-4o-2024-08-06", day, i=1000, o=100, tier="priority"))
    recs.append({"logged_at": "2025-10-02T10:07:00Z", "http_status": 200, "response": {
        "id": "chatcmpl-A8", "object": "chat.completion", "created": 1759399620,
        "model": "gpt-4o-2024-08-06",
        "usage": {"prompt_tokens": None, "completion_tokens": 100, "total_tokens": 100}}})
    exp.append(req("openai", "gpt-4o-2024-08-06", day, o=100))
    # xAI's usage counts reasoning beside completion_tokens (total_tokens
    # is prompt + completion + reasoning: Google's example of Grok on
    # Vertex, 663 + 50 + 124 = 837), billed as output: output 174.
    recs.append({"logged_at": "2025-10-02T10:07:30Z", "http_status": 200, "response": {
        "id": "knTMaJC0EJfM5OMP7I3xkAk", "object": "chat.completion", "created": 1759399650,
        "model": "grok-3-mini", "system_fingerprint": "fp_39c5j0a324",
        "choices": [{"finish_reason": "stop", "index": 0, "logprobs": None,
                     "message": {"content": "I am Grok", "role": "assistant"}}],
        "usage": {"completion_tokens": 50, "completion_tokens_details": {
            "accepted_prediction_tokens": 0, "audio_tokens": 0, "reasoning_tokens": 124,
            "rejected_prediction_tokens": 0}, "cost_in_usd_ticks": 0, "num_sources_used": 0,
            "prompt_tokens": 663, "prompt_tokens_details": {
                "audio_tokens": 0, "cached_tokens": 654, "image_tokens": 0,
                "text_tokens": 663}, "total_tokens": 837}}})
    exp.append(req("xai", "grok-3-mini", day, i=9, o=174, cr=654, rs=124))
    # A router that adds the reasoning in (its total is prompt +
    # completion, as OpenAI's): the completion as it is.
    recs.append({"logged_at": "2025-10-02T10:07:40Z", "http_status": 200, "response": {
        "id": "977d1c37-be86-2959-a46c-179037266417", "object": "chat.completion",
        "created": 1759399660, "model": "grok-3-mini", "choices": [],
        "usage": {"completion_tokens": 241, "completion_tokens_details": {
            "audio_tokens": 0, "image_tokens": 0, "reasoning_tokens": 204},
            "prompt_tokens": 163, "prompt_tokens_details": {
                "audio_tokens": 0, "cache_write_tokens": 0, "cached_tokens": 162,
                "video_tokens": 0}, "total_tokens": 404}}})
    exp.append(req("xai", "grok-3-mini", day, i=1, o=241, cr=162, rs=204))
    # A proxy's OpenAI-shaped answer of Gemini that leaves the thoughts
    # out of completion_tokens (CLIProxyAPI issue 5733: 21 + 0 + 60 = 81).
    recs.append({"logged_at": "2025-10-02T10:07:50Z", "http_status": 200, "response": {
        "id": "chatcmpl-G1", "object": "chat.completion", "created": 1759399670,
        "model": "gemini-2.5-flash", "choices": [],
        "usage": {"completion_tokens": 0, "total_tokens": 81, "prompt_tokens": 21,
                  "completion_tokens_details": {"reasoning_tokens": 60}}}})
    exp.append(req("google", "gemini-2.5-flash", day, i=21, o=60, rs=60))
    # A negative count rejects its record.
    recs.append({"logged_at": "2025-10-02T10:08:00Z", "http_status": 200, "response": {
        "id": "chatcmpl-A9", "object": "chat.completion", "created": 1759399680,
        "model": "gpt-4o-2024-08-06",
        "usage": {"prompt_tokens": -5, "completion_tokens": 100, "total_tokens": 100}}})
    return "openai_chat.jsonl", recs, exp, [(len(recs), "prompt_tokens -5")]


def openai_responses():
    recs, exp = [], []
    day = "2025-10-03"
    recs.append({"logged_at": "2025-10-03T09:00:00Z", "http_status": 200, "response": {
        "id": "resp_1", "object": "response", "created_at": 1759482000,
        "status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"},
        "model": "o3-mini-2025-01-31", "output": [], "service_tier": "default",
        "usage": {"input_tokens": 5000, "input_tokens_details": {"cached_tokens": 4096},
                  "output_tokens": 800, "output_tokens_details": {"reasoning_tokens": 800},
                  "total_tokens": 5800}}})
    exp.append(req("openai", "o3-mini-2025-01-31", day, i=904, o=800, cr=4096, rs=800))
    # A bare stream: only response.completed counts.
    recs.append({"type": "response.created", "sequence_number": 0, "response": {
        "id": "resp_2", "object": "response", "created_at": 1759482100,
        "status": "in_progress", "model": "gpt-4.1-2025-04-14", "output": [], "usage": None}})
    recs.append({"type": "response.output_text.delta", "sequence_number": 3,
                 "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "Hi"})
    recs.append({"type": "response.completed", "sequence_number": 9, "response": {
        "id": "resp_2", "object": "response", "created_at": 1759482100,
        "status": "completed", "model": "gpt-4.1-2025-04-14", "output": [],
        "usage": {"input_tokens": 3000, "input_tokens_details": {"cached_tokens": 1000},
                  "output_tokens": 400, "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": 3400}}})
    exp.append(req("openai", "gpt-4.1-2025-04-14", day, i=2000, o=400, cr=1000))
    recs.append({"logged_at": "2025-10-03T09:02:00Z", "http_status": 200, "response": {
        "id": "resp_3", "object": "response", "created_at": 1759482120, "status": "failed",
        "error": {"code": "server_error", "message": "The model failed"},
        "model": "gpt-4.1-2025-04-14", "output": [], "usage": None}})
    exp.append(req("openai", "gpt-4.1-2025-04-14", day, error=True))
    # A background Response: answered queued (usage null), then polled
    # until it ends. The request is the completed one: not an error, its
    # tokens counted.
    for status, at, usage in [("queued", "09:03:00", None), ("in_progress", "09:08:00", None),
                              ("completed", "09:13:00", {
                                  "input_tokens": 20000, "input_tokens_details": {
                                      "cached_tokens": 0}, "output_tokens": 5000,
                                  "output_tokens_details": {"reasoning_tokens": 4000},
                                  "total_tokens": 25000})]:
        recs.append({"logged_at": "2025-10-03T%sZ" % at, "http_status": 200, "response": {
            "id": "resp_4", "object": "response", "created_at": 1759482180, "status": status,
            "background": True, "model": "o3-2025-04-16", "output": [], "usage": usage}})
    exp.append(req("openai", "o3-2025-04-16", day, i=20000, o=5000, rs=4000))
    recs.append({"logged_at": "2025-10-03T09:14:00Z", "http_status": 200, "response": {
        "id": "resp_5", "object": "response", "created_at": 1759482240, "status": "completed",
        "model": "o3-2025-04-16", "service_tier": "flex", "output": [],
        "usage": {"input_tokens": 10000, "input_tokens_details": {"cached_tokens": 0},
                  "output_tokens": 1000, "output_tokens_details": {"reasoning_tokens": 500},
                  "total_tokens": 11000}}})
    exp.append(req("openai", "o3-2025-04-16", day, i=10000, o=1000, rs=500, tier="flex"))
    recs.append({"logged_at": "2025-10-03T09:15:00Z", "http_status": 200, "response": {
        "id": "resp_6", "object": "response", "created_at": 1759482300, "status": "cancelled",
        "model": "gpt-4.1-2025-04-14", "output": [],
        "usage": {"input_tokens": 100, "input_tokens_details": None, "output_tokens": 0,
                  "output_tokens_details": None, "total_tokens": 100}}})
    exp.append(req("openai", "gpt-4.1-2025-04-14", day, i=100, error=True))
    return "openai_responses.jsonl", recs, exp, []


def anthropic():
    recs, exp = [], []
    day = "2025-10-04"
    recs.append({"logged_at": "2025-10-04T08:00:00Z", "agent": "b", "team": "t",
                 "http_status": 200, "request_id": "req_a1", "response": {
                     "usage": {"service_tier": "standard", "server_tool_use": {
                         "web_search_requests": 2, "web_fetch_requests": 0},
                         "output_tokens": 700, "cache_creation": {
                             "ephemeral_1h_input_tokens": 3000,
                             "ephemeral_5m_input_tokens": 1000},
                         "cache_read_input_tokens": 5000, "cache_creation_input_tokens": 4000,
                         "input_tokens": 200, "inference_geo": "global"},
                     "stop_sequence": None, "stop_reason": "end_turn",
                     "model": "claude-sonnet-4-5-20250929", "content": [],
                     "role": "assistant", "type": "message", "id": "msg_a1"}})
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=200, o=700, cr=5000,
                   cw=1000, cw1h=3000))
    recs.append({"logged_at": "2025-10-04T08:01:00Z", "http_status": 200,
                 "request_id": "req_a2", "response": {
                     "id": "msg_a2", "type": "message", "role": "assistant",
                     "model": "claude-opus-4-1-20250805", "content": [],
                     "usage": {"input_tokens": 1000, "cache_creation_input_tokens": None,
                               "cache_read_input_tokens": None, "cache_creation": None,
                               "output_tokens": 100, "server_tool_use": None,
                               "service_tier": "standard"}}})
    exp.append(req("anthropic", "claude-opus-4-1-20250805", day, i=1000, o=100))
    # A stream logged event by event, above 200k of total input; the
    # message_delta repeats the input counts (current API) cumulatively.
    recs.append({"logged_at": "2025-10-04T08:02:00Z", "request_id": "req_a3", "event": {
        "type": "message_start", "message": {
            "id": "msg_a3", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5-20250929", "content": [], "stop_reason": None,
            "usage": {"input_tokens": 150000, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 60000, "cache_creation": {
                          "ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
                      "output_tokens": 1, "service_tier": "standard"}}}})
    recs.append({"logged_at": "2025-10-04T08:02:05Z", "request_id": "req_a3", "event": {
        "type": "content_block_delta", "index": 0,
        "delta": {"type": "text_delta", "text": "hi"}}})
    recs.append({"logged_at": "2025-10-04T08:02:09Z", "request_id": "req_a3", "event": {
        "type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"input_tokens": 150000, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 60000, "output_tokens": 2000,
                  "server_tool_use": {"web_search_requests": 0}}}})
    recs.append({"logged_at": "2025-10-04T08:02:10Z", "request_id": "req_a3",
                 "event": {"type": "message_stop"}})
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=150000, o=2000,
                   cr=60000))
    recs.append({"logged_at": "2025-10-04T08:03:00Z", "http_status": 529,
                 "request_id": "req_a4", "response": {
                     "type": "error", "error": {"type": "overloaded_error",
                                                "message": "Overloaded"},
                     "request_id": "req_a4"}})
    exp.append(req("anthropic", "unknown", day, error=True))
    recs.append('{"logged_at":"2025-10-04T08:04:00Z","agent":"\\u00e9quipe","http_status":200,'
                '"request_id":"req_a5","response":{"id":"msg_a5","type":"message",'
                '"model":"claude-3-5-haiku\\u002d20241022","usage":{"input_tokens":"400",'
                '"output_tokens":"50","cache_read_input_tokens":"0"}}}')
    exp.append(req("anthropic", "claude-3-5-haiku-20241022", day, i=400, o=50))
    recs.append({"logged_at": "2025-10-04T08:05:00Z", "http_status": 200,
                 "request_id": "req_a6", "response": {
                     "id": "msg_a6", "type": "message", "role": "assistant",
                     "model": "claude-sonnet-4-5-20250929", "content": [],
                     "usage": {"input_tokens": 100, "output_tokens": 500,
                               "output_tokens_details": {"thinking_tokens": 300},
                               "cache_creation_input_tokens": 0,
                               "cache_read_input_tokens": 0}}})
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=100, o=500, rs=300))
    return "anthropic.jsonl", recs, exp, []


def anthropic_batch():
    """An Anthropic Message Batches results file (GET /v1/messages/batches/
    {id}/results): batch tier whatever the usage says; errored = a failed
    request; canceled and expired = no request; no time of its own, so a
    line without an added logged_at/timestamp is rejected; custom_id is no
    request id (unique only within its batch)."""
    recs, exp = [], []
    day = "2025-10-04"

    def ok(cid, mid, model, usage, **kw):
        d = {"custom_id": cid}
        d.update(kw)
        d["result"] = {"type": "succeeded", "message": {
            "id": mid, "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": "x"}], "stop_reason": "end_turn",
            "stop_sequence": None, "usage": usage}}
        return d
    recs.append(ok("req-1", "msg_b1", "claude-sonnet-4-5-20250929", {
        "input_tokens": 1200, "output_tokens": 300, "cache_creation_input_tokens": 4000,
        "cache_read_input_tokens": 7000, "cache_creation": {
            "ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 3000},
        "service_tier": "batch"}, logged_at="2025-10-04T10:00:00Z"))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=1200, o=300, cr=7000,
                   cw=1000, cw1h=3000, tier="batch"))
    # An epoch timestamp and an agent added beside it; a usage that says
    # standard is still a batch request.
    recs.append(ok("req-2", "msg_b2", "claude-3-5-haiku-20241022", {
        "input_tokens": "500", "output_tokens": 50.0, "cache_creation_input_tokens": None,
        "cache_read_input_tokens": 0, "service_tier": "standard"},
        timestamp=1759572000, agent="etl"))
    exp.append(req("anthropic", "claude-3-5-haiku-20241022", day, i=500, o=50, tier="batch"))
    recs.append({"custom_id": "req-3", "logged_at": "2025-10-04T10:00:00Z", "result": {
        "type": "errored", "error": {"type": "error", "error": {
            "type": "invalid_request_error", "message": "max_tokens: Field required"}}}})
    exp.append(req("anthropic", "unknown", day, error=True, tier="batch"))
    recs.append({"custom_id": "req-4", "logged_at": "2025-10-04T10:00:00Z",
                 "result": {"type": "canceled"}})
    recs.append({"custom_id": "req-5", "logged_at": "2025-10-04T10:00:00Z",
                 "result": {"type": "expired"}})
    # No time at all: rejected, not dated by a guess.
    recs.append(ok("req-6", "msg_b6", "claude-sonnet-4-5-20250929",
                   {"input_tokens": 10, "output_tokens": 1}))
    # Another batch's results appended: the same custom_id is another
    # request; the same message twice is one.
    recs.append(ok("req-1", "msg_b7", "claude-sonnet-4-5-20250929",
                   {"input_tokens": 100, "output_tokens": 10},
                   logged_at="2025-10-04T11:00:00Z"))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=100, o=10, tier="batch"))
    recs.append(dict(recs[0]))
    recs.append({"custom_id": "req-9", "logged_at": "2025-10-04T10:00:00Z",
                 "result": {"type": "paused"}})
    # A message without its model: rejected, not an unpriced unknown.
    recs.append(ok("req-10", "msg_b10", None, {"input_tokens": 10, "output_tokens": 1},
                   logged_at="2025-10-04T10:00:00Z"))
    return "anthropic_batch.jsonl", recs, exp, [
        (6, "missing timestamp (a Message Batches result holds none"),
        (9, "unknown Message Batches result type 'paused'"), (10, "missing model")]


def gemini():
    recs, exp = [], []
    day = "2025-10-05"
    # modelVersion names another model than the one asked for; tool-use
    # prompt, cached and thought counts; details per modality.
    recs.append({"logged_at": "2025-10-05T07:00:00Z", "agent": "g", "team": "t",
                 "api": "gemini", "http_status": 200, "model": "gemini-2.5-flash",
                 "response": {"usageMetadata": {
                     "totalTokenCount": 9300, "toolUsePromptTokenCount": 300,
                     "thoughtsTokenCount": 1000, "candidatesTokenCount": 500,
                     "cachedContentTokenCount": 4000, "promptTokenCount": 7500,
                     "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 7000},
                                             {"modality": "IMAGE", "tokenCount": 500}],
                     "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 4000}],
                     "toolUsePromptTokensDetails": [{"modality": "TEXT", "tokenCount": 300}]},
                     "modelVersion": "gemini-2.5-flash-preview-09-2025", "responseId": "g1",
                     "candidates": [{"content": {"parts": [{"text": "x"}], "role": "model"},
                                     "finishReason": "STOP"}]}})
    exp.append(req("google", "gemini-2.5-flash-preview-09-2025", day, i=3800, o=1500,
                   cr=4000, rs=1000))
    # A prompt blocked: its prompt is billed, no candidates (null count).
    recs.append({"logged_at": "2025-10-05T07:01:00Z", "api": "gemini", "http_status": 200,
                 "response": {"candidates": [], "promptFeedback": {"blockReason": "SAFETY"},
                              "usageMetadata": {"promptTokenCount": 2000,
                                                "totalTokenCount": 2000,
                                                "candidatesTokenCount": None},
                              "modelVersion": "gemini-2.5-flash", "responseId": "g2"}})
    exp.append(req("google", "gemini-2.5-flash", day, i=2000))
    # Two chunks of one stream above 200k: each count its largest.
    recs.append({"logged_at": "2025-10-05T07:02:00Z", "api": "gemini", "http_status": 200,
                 "response": {"candidates": [{"content": {"parts": [{"text": "a"}]}}],
                              "usageMetadata": {"promptTokenCount": 250000,
                                                "candidatesTokenCount": 10,
                                                "totalTokenCount": 250010},
                              "modelVersion": "gemini-2.5-pro", "responseId": "g3"}})
    recs.append({"logged_at": "2025-10-05T07:02:01Z", "api": "gemini", "http_status": 200,
                 "response": {"candidates": [{"content": {"parts": [{"text": "b"}]}}],
                              "usageMetadata": {"promptTokenCount": 250000,
                                                "candidatesTokenCount": 400,
                                                "thoughtsTokenCount": 600,
                                                "totalTokenCount": 251000},
                              "modelVersion": "gemini-2.5-pro", "responseId": "g3"}})
    exp.append(req("google", "gemini-2.5-pro", day, i=250000, o=1000, rs=600))
    recs.append({"logged_at": "2025-10-05T07:03:00Z", "api": "gemini", "http_status": 429,
                 "response": {"error": {"code": 429, "message": "Resource has been exhausted",
                                        "status": "RESOURCE_EXHAUSTED"}}})
    exp.append(req("google", "unknown", day, error=True))
    recs.append({"logged_at": "2025-10-05T07:04:00Z", "api": "gemini", "http_status": 200,
                 "response": {"usageMetadata": {"promptTokenCount": "1200",
                                                "candidatesTokenCount": "100",
                                                "totalTokenCount": "1300"},
                              "modelVersion": "gemini-2.0-flash", "responseId": "g5"}})
    exp.append(req("google", "gemini-2.0-flash", day, i=1200, o=100))
    # Vertex's flex traffic: the catalog has no flex price for it.
    recs.append({"logged_at": "2025-10-05T07:05:00Z", "api": "gemini", "http_status": 200,
                 "response": {"usageMetadata": {"promptTokenCount": 1000,
                                                "candidatesTokenCount": 100,
                                                "totalTokenCount": 1100,
                                                "trafficType": "ON_DEMAND_FLEX"},
                              "modelVersion": "gemini-2.5-flash",
                              "createTime": "2025-10-05T07:05:00.123456Z",
                              "responseId": "g6"}})
    exp.append(req("vertex_ai", "gemini-2.5-flash", day, i=1000, o=100, tier="flex"))
    return "gemini.jsonl", recs, exp, []


def vertex_batch():
    """A Vertex AI batch prediction output for Gemini (predictions.jsonl):
    each line its request, its response, its status and processed_time;
    batch tier; dated by createTime, else processed_time; a status with
    text is a failed request (its line without a response)."""
    recs, exp = [], []
    day = "2025-10-05"
    req_body = {"contents": [{"role": "user", "parts": [{"text": "Describe."}]}],
                "generationConfig": {"temperature": 0.4}}
    # First a failed request: told by its request and processed_time.
    recs.append({"status": "Bad Request: {\"error\": {\"code\": 400, \"message\": "
                 "\"Please use a valid role: user, model.\", \"status\": "
                 "\"INVALID_ARGUMENT\"}}", "processed_time": "2025-10-05T18:13:16.826+00:00",
                 "request": {"contents": [{"role": "robot", "parts": [{"text": "x"}]}]}})
    exp.append(req("vertex_ai", "unknown", day, error=True, tier="batch"))
    # The model's default version; cached and thought counts; its quota's
    # traffic type does not change the batch tier.
    recs.append({"status": "", "processed_time": "2025-10-05T18:13:17.120+00:00",
                 "request": req_body, "response": {
                     "candidates": [{"avgLogprobs": -0.21, "finishReason": "STOP",
                                     "content": {"role": "model", "parts": [{"text": "y"}]}}],
                     "modelVersion": "gemini-3.1-pro-preview@default",
                     "usageMetadata": {"promptTokenCount": 12000,
                                       "cachedContentTokenCount": 8000,
                                       "candidatesTokenCount": 700, "thoughtsTokenCount": 300,
                                       "totalTokenCount": 13000,
                                       "trafficType": "ON_DEMAND"}}})
    exp.append(req("vertex_ai", "gemini-3.1-pro-preview", day, i=4000, cr=8000, o=1000,
                   rs=300, tier="batch"))
    # createTime and responseId written: the time is createTime's; the
    # catalog has no batch price for it (unpriced, not the standard rate).
    recs.append({"request": req_body, "status": "",
                 "processed_time": "2025-10-06T00:00:05.000+00:00", "response": {
                     "candidates": [{"content": {"role": "model", "parts": [{"text": "z"}]},
                                     "finishReason": "STOP"}],
                     "modelVersion": "gemini-2.5-flash", "createTime": "2025-10-05T23:59:59Z",
                     "responseId": "vb3",
                     "usageMetadata": {"promptTokenCount": 900, "candidatesTokenCount": 90,
                                       "totalTokenCount": 990}}})
    exp.append(req("vertex_ai", "gemini-2.5-flash", day, i=900, o=90, tier="batch"))
    recs.append({"status": "", "processed_time": "yesterday", "request": req_body,
                 "response": {"modelVersion": "gemini-2.5-flash",
                              "usageMetadata": {"promptTokenCount": 1,
                                                "candidatesTokenCount": 1}}})
    return "vertex_batch.jsonl", recs, exp, [(4, "invalid timestamp processed_time")]


def gemini_batch():
    """A Gemini API Batch Mode results file (the JSONL file a batches.create
    job of the Gemini Developer API writes): {key, response} or {key,
    error}; batch tier (half the standard price: the catalog's batch rows
    where LiteLLM states them, else unpriced, never the standard rate); no
    time of its own, so a line without an added logged_at/timestamp is
    rejected; key is no request id (unique only within its batch), the
    response's responseId is."""
    recs, exp = [], []
    day = "2025-10-05"

    def ok(key, rid, model, usage, **kw):
        d = {"key": key}
        d.update(kw)
        resp = {"candidates": [{"content": {"parts": [{"text": "x"}], "role": "model"},
                                "finishReason": "STOP", "index": 0}],
                "usageMetadata": usage, "modelVersion": model}
        if rid:
            resp["responseId"] = rid
        d["response"] = resp
        return d
    # First a failed request, its google.rpc.Status without the HTTP
    # error's status name: the file is still told as Gemini's.
    recs.append({"key": "request-0", "logged_at": "2025-10-05T09:00:00Z",
                 "error": {"code": 429, "message": "Resource has been exhausted",
                           "details": []}})
    exp.append(req("google", "unknown", day, error=True, tier="batch"))
    # Cached and thought counts; a batch price in the catalog.
    recs.append(ok("request-1", "gb1", "gemini-3.1-pro-preview", {
        "promptTokenCount": 12000, "candidatesTokenCount": 700,
        "totalTokenCount": 13000, "cachedContentTokenCount": 8000,
        "thoughtsTokenCount": 300,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12000}]},
        logged_at="2025-10-05T09:00:00Z", agent="batcher"))
    exp.append(req("google", "gemini-3.1-pro-preview", day, i=4000, o=1000, cr=8000,
                   rs=300, tier="batch"))
    # No batch price for it: unpriced, not the standard rate; an epoch
    # timestamp; no responseId (not deduplicated).
    recs.append(ok("request-2", None, "gemini-2.5-flash", {
        "promptTokenCount": 900, "candidatesTokenCount": 90, "totalTokenCount": 990},
        timestamp=1759654800))
    exp.append(req("google", "gemini-2.5-flash", day, i=900, o=90, tier="batch"))
    # A failed request as the brief's shape has it, with its status.
    recs.append({"key": "request-3", "logged_at": "2025-10-05T09:00:00Z",
                 "error": {"code": 400, "message": "Invalid argument",
                           "status": "INVALID_ARGUMENT"}})
    exp.append(req("google", "unknown", day, error=True, tier="batch"))
    # No time at all: rejected, not dated by a guess.
    recs.append(ok("request-4", "gb4", "gemini-3.1-pro-preview", {
        "promptTokenCount": 10, "candidatesTokenCount": 1, "totalTokenCount": 11}))
    # Another batch's results appended: the same key is another request;
    # the same response twice is one.
    recs.append(ok("request-1", "gb6", "gemini-3.1-pro-preview", {
        "promptTokenCount": 1000, "candidatesTokenCount": 100, "totalTokenCount": 1100},
        logged_at="2025-10-05T11:00:00Z"))
    exp.append(req("google", "gemini-3.1-pro-preview", day, i=1000, o=100, tier="batch"))
    recs.append(dict(recs[1]))
    # A count that is no count rejects its line, named.
    recs.append(ok("request-8", "gb8", "gemini-3.1-pro-preview", {
        "promptTokenCount": "many", "candidatesTokenCount": 1},
        logged_at="2025-10-05T09:00:00Z"))
    return "gemini_batch.jsonl", recs, exp, [
        (5, "missing timestamp (a Gemini Batch Mode result holds none"),
        (8, 'promptTokenCount "many"')]


def bedrock():
    recs, exp = [], []
    day = "2025-10-06"

    def log(rid, t, model, inp, out, op="Converse", **kw):
        d = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
             "timestamp": "2025-10-06T12:%02d:00Z" % t, "accountId": "123456789012",
             "identity": {"arn": "arn:aws:sts::123456789012:assumed-role/etl-role/s"},
             "region": "us-east-1", "requestId": rid, "operation": op, "modelId": model,
             "input": inp, "output": out}
        d.update(kw)
        return d
    # Keys in reverse order, cache counts, the Converse body's usage.
    r = log("b1", 0, "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            {"inputContentType": "application/json", "inputTokenCount": 1000,
             "cacheReadInputTokenCount": 6000, "cacheWriteInputTokenCount": 2000},
            {"outputContentType": "application/json", "outputTokenCount": 500,
             "outputBodyJson": {"usage": {"inputTokens": 1000, "outputTokens": 500,
                                          "cacheReadInputTokens": 6000,
                                          "cacheWriteInputTokens": 2000}}})
    recs.append(dict(reversed(list(r.items()))))
    exp.append(req("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", day,
                   i=1000, o=500, cr=6000, cw=2000))
    # InvokeModel by a foundation model's ARN, counts as strings.
    recs.append(log("b2", 1, "arn:aws:bedrock:us-west-2::foundation-model/"
                    "anthropic.claude-3-5-haiku-20241022-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": "2000",
                     "inputBodyJson": {"anthropic_version": "bedrock-2023-05-31"}},
                    {"outputContentType": "application/json", "outputTokenCount": "300",
                     "outputBodyJson": {"id": "msg_bdrk_1", "type": "message",
                                        "usage": {"input_tokens": 2000,
                                                  "output_tokens": 300}}},
                    op="InvokeModel"))
    exp.append(req("bedrock", "arn:aws:bedrock:us-west-2::foundation-model/"
                   "anthropic.claude-3-5-haiku-20241022-v1:0", day, i=2000, o=300))
    # A system inference profile's ARN; null cache counts.
    recs.append(log("b3", 2, "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
                    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 1000,
                     "cacheReadInputTokenCount": None, "cacheWriteInputTokenCount": None},
                    {"outputContentType": "application/json", "outputTokenCount": 100},
                    op="InvokeModel"))
    exp.append(req("bedrock", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
                   "us.anthropic.claude-sonnet-4-5-20250929-v1:0", day, i=1000, o=100))
    recs.append(log("b4", 3, "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    {"inputContentType": "application/json"},
                    {"outputContentType": "application/json"},
                    errorCode="ThrottlingException"))
    exp.append(req("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", day,
                   error=True))
    # An embedding: no output count.
    recs.append(log("b5", 4, "amazon.titan-embed-text-v2:0",
                    {"inputContentType": "application/json", "inputTokenCount": 800},
                    {"outputContentType": "application/json"}, op="InvokeModel"))
    exp.append(req("bedrock", "amazon.titan-embed-text-v2:0", day, i=800))
    # An application inference profile: its ARN names no model.
    recs.append(log("b6", 5, "arn:aws:bedrock:us-east-1:123456789012:"
                    "application-inference-profile/a1b2c3d4e5f6",
                    {"inputContentType": "application/json", "inputTokenCount": 500},
                    {"outputContentType": "application/json", "outputTokenCount": 50},
                    op="ConverseStream"))
    exp.append(req("bedrock", "arn:aws:bedrock:us-east-1:123456789012:"
                   "application-inference-profile/a1b2c3d4e5f6", day, i=500, o=50))
    # InvokeModel of Claude: the cache counts only in the response body
    # (the Anthropic Message's usage), its writes split by TTL there.
    recs.append(log("b7", 6, "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 300},
                    {"outputContentType": "application/json", "outputTokenCount": 120,
                     "outputBodyJson": {"id": "msg_bdrk_7", "type": "message",
                                        "model": "claude-sonnet-4-5-20250929",
                                        "usage": {"input_tokens": 300, "output_tokens": 120,
                                                  "cache_read_input_tokens": 9000,
                                                  "cache_creation_input_tokens": 2000,
                                                  "cache_creation": {
                                                      "ephemeral_5m_input_tokens": 500,
                                                      "ephemeral_1h_input_tokens": 1500}}}},
                    op="InvokeModel"))
    exp.append(req("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", day,
                   i=300, o=120, cr=9000, cw=500, cw1h=1500))
    # Both places: the same tokens, counted once.
    recs.append(log("b8", 7, "anthropic.claude-3-5-haiku-20241022-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 100,
                     "cacheReadInputTokenCount": 4000, "cacheWriteInputTokenCount": 800},
                    {"outputContentType": "application/json", "outputTokenCount": 40,
                     "outputBodyJson": {"type": "message", "usage": {
                         "input_tokens": 100, "output_tokens": 40,
                         "cache_read_input_tokens": 4000,
                         "cache_creation_input_tokens": 800}}},
                    op="InvokeModel"))
    exp.append(req("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", day,
                   i=100, o=40, cr=4000, cw=800))
    # Converse's body, its counts in camelCase, the top-level ones null.
    recs.append(log("b9", 8, "anthropic.claude-3-5-haiku-20241022-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 50,
                     "cacheReadInputTokenCount": None, "cacheWriteInputTokenCount": None},
                    {"outputContentType": "application/json", "outputTokenCount": 5,
                     "outputBodyJson": {"output": {}, "usage": {
                         "inputTokens": 50, "outputTokens": 5, "totalTokens": 2655,
                         "cacheReadInputTokens": 2000, "cacheWriteInputTokens": 600}}}))
    exp.append(req("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", day,
                   i=50, o=5, cr=2000, cw=600))
    # A body's count that is no count rejects the line, named.
    recs.append(log("b10", 9, "anthropic.claude-3-5-haiku-20241022-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 50},
                    {"outputContentType": "application/json", "outputTokenCount": 5,
                     "outputBodyJson": {"type": "message", "usage": {
                         "input_tokens": 50, "output_tokens": 5,
                         "cache_read_input_tokens": "many"}}},
                    op="InvokeModel"))
    # InvokeModelWithResponseStream: the body is the stream's chunks, an
    # array; Claude's cache counts only in its message_start's usage (the
    # writes split by TTL there) and message_delta's, a placeholder string
    # among the chunks.
    def stream(mid, usage, delta_usage, metrics, extra=()):
        return ([{"type": "message_start", "message": {
                    "id": mid, "type": "message", "role": "assistant",
                    "model": "claude-sonnet-4-5-20250929", "content": [],
                    "stop_reason": None, "usage": usage}},
                 {"type": "content_block_start", "index": 0,
                  "content_block": {"type": "text", "text": ""}},
                 {"type": "content_block_delta", "index": 0,
                  "delta": {"type": "text_delta", "text": "hi"}},
                 {"type": "content_block_stop", "index": 0}] + list(extra) +
                [{"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                  "usage": delta_usage},
                 {"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics}])
    recs.append(log("b11", 10, "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 6},
                    {"outputContentType": "application/json", "outputTokenCount": 300,
                     "outputBodyJson": stream("msg_bdrk_11", {
                         "input_tokens": 6, "cache_creation_input_tokens": 2000,
                         "cache_read_input_tokens": 150000, "cache_creation": {
                             "ephemeral_5m_input_tokens": 500,
                             "ephemeral_1h_input_tokens": 1500},
                         "output_tokens": 2},
                         {"output_tokens": 300, "cache_read_input_tokens": 150000,
                          "cache_creation_input_tokens": 2000},
                         {"inputTokenCount": 6, "outputTokenCount": 300,
                          "invocationLatency": 4100, "firstByteLatency": 900},
                         extra=["... streaming chunks ..."])},
                    op="InvokeModelWithResponseStream"))
    exp.append(req("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", day,
                   i=6, o=300, cr=150000, cw=500, cw1h=1500))
    # The same counts at the top level, in message_start and in the last
    # chunk's invocation metrics: one request's tokens, counted once.
    recs.append(log("b12", 11, "anthropic.claude-3-5-haiku-20241022-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 100,
                     "cacheReadInputTokenCount": 4000, "cacheWriteInputTokenCount": 800},
                    {"outputContentType": "application/json", "outputTokenCount": 40,
                     "outputBodyJson": stream("msg_bdrk_12", {
                         "input_tokens": 100, "cache_read_input_tokens": 4000,
                         "cache_creation_input_tokens": 800, "output_tokens": 1},
                         {"output_tokens": 40},
                         {"inputTokenCount": 100, "outputTokenCount": 40,
                          "cacheReadInputTokenCount": 4000,
                          "cacheWriteInputTokenCount": 800,
                          "invocationLatency": 900, "firstByteLatency": 300})},
                    op="InvokeModelWithResponseStream"))
    exp.append(req("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", day,
                   i=100, o=40, cr=4000, cw=800))
    # In the invocation metrics only (a message_start without them).
    recs.append(log("b13", 12, "anthropic.claude-3-5-haiku-20241022-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 70,
                     "cacheReadInputTokenCount": None},
                    {"outputContentType": "application/json", "outputTokenCount": 7,
                     "outputBodyJson": stream("msg_bdrk_13", {
                         "input_tokens": 70, "output_tokens": 1},
                         {"output_tokens": 7},
                         {"inputTokenCount": 70, "outputTokenCount": 7,
                          "cacheReadInputTokenCount": 3000,
                          "cacheWriteInputTokenCount": 200})},
                    op="InvokeModelWithResponseStream"))
    exp.append(req("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", day,
                   i=70, o=7, cr=3000, cw=200))
    # ConverseStream logs the stream's response put together, an object
    # as Converse's: its cache counts in the body only.
    recs.append(log("b14", 13, "anthropic.claude-3-5-haiku-20241022-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 20},
                    {"outputContentType": "application/json", "outputTokenCount": 2,
                     "outputBodyJson": {"output": {}, "stopReason": "end_turn",
                                        "metrics": {"latencyMs": 302}, "usage": {
                                            "inputTokens": 20, "outputTokens": 2,
                                            "cacheReadInputTokens": 1000,
                                            "cacheWriteInputTokens": 0,
                                            "totalTokens": 1022}}},
                    op="ConverseStream"))
    exp.append(req("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", day,
                   i=20, o=2, cr=1000))
    # A chunk's count that is no count rejects the line, named by the
    # chunk's place.
    recs.append(log("b15", 14, "anthropic.claude-3-5-haiku-20241022-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 5},
                    {"outputContentType": "application/json", "outputTokenCount": 1,
                     "outputBodyJson": stream("msg_bdrk_15", {
                         "input_tokens": 5, "cache_read_input_tokens": "lots"},
                         {"output_tokens": 1}, {"inputTokenCount": 5})},
                    op="InvokeModelWithResponseStream"))
    # Converse splits its writes by TTL in cacheDetails (the Bedrock
    # API's CacheDetail: ttl 5m or 1h, inputTokens): 1500 of the 2000 are
    # 1-hour writes. They were priced as 5-minute ones.
    recs.append(log("b16", 15, "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 400,
                     "cacheReadInputTokenCount": 3000, "cacheWriteInputTokenCount": 2000},
                    {"outputContentType": "application/json", "outputTokenCount": 60,
                     "outputBodyJson": {"output": {}, "stopReason": "end_turn",
                                        "usage": {"inputTokens": 400, "outputTokens": 60,
                                                  "cacheReadInputTokens": 3000,
                                                  "cacheWriteInputTokens": 2000,
                                                  "cacheDetails": [
                                                      {"ttl": "5m", "inputTokens": 500},
                                                      {"ttl": "1h", "inputTokens": 1500}],
                                                  "totalTokens": 5460}}}))
    exp.append(req("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", day,
                   i=400, o=60, cr=3000, cw=500, cw1h=1500))
    # A detail's count that is no count rejects the line, named.
    recs.append(log("b17", 16, "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    {"inputContentType": "application/json", "inputTokenCount": 4},
                    {"outputContentType": "application/json", "outputTokenCount": 1,
                     "outputBodyJson": {"usage": {
                         "inputTokens": 4, "outputTokens": 1, "cacheWriteInputTokens": 9,
                         "cacheDetails": [{"ttl": "1h", "inputTokens": -9}]}}}))
    return "bedrock.jsonl", recs, exp, [
        (10, 'invalid count output.outputBodyJson.usage.cache_read_input_tokens "many"'),
        (15, 'invalid count output.outputBodyJson[0].message.usage.'
             'cache_read_input_tokens "lots"'),
        (17, 'invalid count output.outputBodyJson.usage.cacheDetails[0].inputTokens -9')]


def claude_code():
    recs, exp = [], []
    day = "2025-10-07"
    base = {"parentUuid": None, "isSidechain": False, "userType": "external",
            "cwd": "C:\\Users\\dana\\src\\api", "sessionId": "s1", "version": "2.0.14",
            "gitBranch": "main", "type": "assistant"}

    def line(uuid, ts, mid, rid, model, usage, **kw):
        d = dict(base)
        d.update(kw)
        d["uuid"], d["timestamp"] = uuid, ts
        d["message"] = {"id": mid, "type": "message", "role": "assistant", "model": model,
                        "content": [{"type": "text", "text": "\u00e9\u2603"}],
                        "stop_reason": "end_turn", "stop_sequence": None, "usage": usage}
        if rid:
            d["requestId"] = rid
        return d
    recs.append(line("u1", "2025-10-07T10:00:00.000Z", "msg_c1", "req_c1",
                     "claude-sonnet-4-5-20250929", {
                         "input_tokens": 10, "cache_creation_input_tokens": 5000,
                         "cache_read_input_tokens": 20000, "cache_creation": {
                             "ephemeral_5m_input_tokens": 2000,
                             "ephemeral_1h_input_tokens": 3000},
                         "output_tokens": 400, "service_tier": "standard",
                         "server_tool_use": {"web_search_requests": 0,
                                             "web_fetch_requests": 0}}))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=10, o=400, cr=20000,
                   cw=2000, cw1h=3000))
    for uuid, t, o in (("u2", "01:00", 1), ("u3", "01:05", 250)):  # streamed copies
        recs.append(line(uuid, "2025-10-07T10:%s.000Z" % t, "msg_c2", "req_c2",
                         "claude-opus-4-1-20250805", {
                             "input_tokens": 3, "cache_creation_input_tokens": 0,
                             "cache_read_input_tokens": 1000, "output_tokens": o,
                             "service_tier": "standard"}))
    exp.append(req("anthropic", "claude-opus-4-1-20250805", day, i=3, o=250, cr=1000))
    recs.append(line("u4", "2025-10-07T10:02:00.000Z", "msg_c3", "req_c3",
                     "claude-3-5-haiku-20241022", {
                         "input_tokens": 100, "cache_creation_input_tokens": None,
                         "cache_read_input_tokens": None, "cache_creation": None,
                         "output_tokens": 50, "service_tier": None}))
    exp.append(req("anthropic", "claude-3-5-haiku-20241022", day, i=100, o=50))
    recs.append(line("u5", "2025-10-07T10:03:00.000Z", "msg_c4", None, "<synthetic>",
                     {"input_tokens": 0, "output_tokens": 0}, isApiErrorMessage=True))
    recs.append({"parentUuid": "u5", "type": "user", "message": {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "t", "content": "ok"}]},
        "toolUseResult": {"stdout": "x"}, "uuid": "u6",
        "timestamp": "2025-10-07T10:03:30.000Z", "sessionId": "s1", "cwd": "/x"})
    recs.append({"type": "system", "subtype": "compact_boundary",
                 "content": "Conversation compacted", "uuid": "u7",
                 "timestamp": "2025-10-07T10:04:00.000Z", "sessionId": "s1",
                 "compactMetadata": {"trigger": "auto", "preTokens": 150000}})
    d = line("u8", "2025-10-07T10:05:00.000Z", "msg_c5", "req_c5",
             "claude-sonnet-4-5-20250929", {"output_tokens": 10, "input_tokens": 5})
    recs.append(dict(reversed(list(d.items()))))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=5, o=10))
    return "claude_code.jsonl", recs, exp, []


def claude_code_legacy():
    recs, exp = [], []
    u = {"input_tokens": 1000, "output_tokens": 100}
    for i, (cost, usage) in enumerate([
            (0.0123, {"input_tokens": 4, "cache_creation_input_tokens": 100,
                      "cache_read_input_tokens": 2000, "output_tokens": 300}),
            (None, u), (0, u)]):
        recs.append({"parentUuid": None, "isSidechain": False, "userType": "external",
                     "cwd": "/Users/dana/src/legacy", "sessionId": "s2", "version": "0.2.96",
                     "message": {"id": "msg_l%d" % i, "type": "message", "role": "assistant",
                                 "model": "claude-3-7-sonnet-20250219", "content": [],
                                 "stop_reason": "end_turn", "stop_sequence": None,
                                 "usage": usage},
                     "costUSD": cost, "durationMs": 100, "requestId": "req_l%d" % i,
                     "type": "assistant", "uuid": "l%d" % i,
                     "timestamp": "2025-04-30T10:0%d:00.000Z" % i})
        exp.append(req("anthropic", "claude-3-7-sonnet-20250219", "2025-04-30",
                       i=usage["input_tokens"], o=usage["output_tokens"],
                       cr=usage.get("cache_read_input_tokens", 0),
                       cw=usage.get("cache_creation_input_tokens", 0),
                       logged=cost or None))
    return "claude_code_legacy.jsonl", recs, exp, []


def csv_text(cols, rows, bom=True, crlf=True):
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=cols, lineterminator="\r\n" if crlf else "\n",
                       quoting=csv.QUOTE_ALL, restval="", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return ("\ufeff" if bom else "") + out.getvalue()


def litellm():
    rows, exp = [], []
    day = "2025-10-08"

    def meta(uo, **kw):
        m = {"status": "success", "usage_object": uo, "spend_logs_metadata": {"agent": "bot"},
             "user_api_key_team_alias": "t-alias", "error_information": None}
        m.update(kw)
        return json.dumps(m)
    # Anthropic through LiteLLM: prompt_tokens hold cache reads and
    # writes; the writes split by TTL (cache_creation_token_details).
    uo = {"total_tokens": 12300, "prompt_tokens": 12000, "completion_tokens": 300,
          "prompt_tokens_details": {"cached_tokens": 8000, "cache_creation_tokens": 3000,
                                    "cache_creation_token_details": {
                                        "ephemeral_5m_input_tokens": 1000,
                                        "ephemeral_1h_input_tokens": 2000}},
          "cache_read_input_tokens": 8000, "cache_creation_input_tokens": 3000}
    rows.append(dict(request_id="l1", spend="0.05", prompt_tokens="12000",
                     completion_tokens="300", startTime="2025-10-08 10:00:00.123",
                     model="claude-sonnet-4-5-20250929", custom_llm_provider="anthropic",
                     metadata=meta(uo), cache_hit="False", status="success"))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=1000, o=300, cr=8000,
                   cw=1000, cw1h=2000, logged=D("0.05")))
    uo = {"prompt_tokens": 3000, "completion_tokens": 2000,
          "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": None},
          "completion_tokens_details": {"reasoning_tokens": 1500}}
    rows.append(dict(request_id="l2", spend="", prompt_tokens="3000", completion_tokens="2000",
                     startTime="2025-10-08 10:01:00", model="o3-mini",
                     custom_llm_provider="openai", metadata=meta(uo), cache_hit="",
                     status="success"))
    exp.append(req("openai", "o3-mini", day, i=1976, o=2000, cr=1024, rs=1500))
    rows.append(dict(request_id="l3", spend="0", prompt_tokens="0", completion_tokens="0",
                     startTime="2025-10-08 10:02:00", model="gpt-4o",
                     custom_llm_provider="openai", metadata=meta({}, error_information={
                         "error_code": "429", "error_message": "rate"}),
                     cache_hit="False", status="failure"))
    exp.append(req("openai", "gpt-4o", day, error=True))
    rows.append(dict(request_id="l4_cache_hit1759917780", spend="0", prompt_tokens="500",
                     completion_tokens="50", startTime="2025-10-08 10:03:00", model="gpt-4o",
                     custom_llm_provider="openai", metadata=meta({}), cache_hit="True",
                     status="success"))
    exp.append(req("openai", "gpt-4o", day))
    # spend 0 for tokens: no price (LiteLLM had none), the catalog's.
    rows.append(dict(request_id="l5", spend="0.0", prompt_tokens="1000",
                     completion_tokens="100", startTime="2025-10-08 10:04:00",
                     model="gemini-2.5-flash", custom_llm_provider="vertex_ai",
                     metadata=meta({"prompt_tokens": 1000, "completion_tokens": 100}),
                     cache_hit="False", status="success"))
    exp.append(req("vertex_ai", "gemini-2.5-flash", day, i=1000, o=100))
    # xAI's usage passed through LiteLLM: reasoning beside the completion
    # (total_tokens 837 = 663 + 50 + 124), billed as output; no spend.
    uo = {"prompt_tokens": 663, "completion_tokens": 50, "total_tokens": 837,
          "prompt_tokens_details": {"cached_tokens": 654, "text_tokens": 663},
          "completion_tokens_details": {"reasoning_tokens": 124}}
    rows.append(dict(request_id="l6", spend="", prompt_tokens="663", completion_tokens="50",
                     startTime="2025-10-08 10:05:00", model="grok-3-mini",
                     custom_llm_provider="xai", metadata=meta(uo), cache_hit="False",
                     status="success"))
    exp.append(req("xai", "grok-3-mini", day, i=9, o=174, cr=654, rs=124))
    cols = ["status", "model", "metadata", "request_id", "startTime", "spend",
            "completion_tokens", "prompt_tokens", "total_tokens", "custom_llm_provider",
            "cache_hit", "model_group", "end_user", "call_type", "messages"]
    return "litellm.csv", csv_text(cols, rows), exp, []


def litellm_payload():
    """LiteLLM's StandardLoggingPayload as its custom, generic-API and
    bucket loggers write it, one per line (docs.litellm.ai,
    proxy/logging_spec): startTime an epoch real, response_cost the cost
    (null when LiteLLM could not price it), id the request's, the usage
    in metadata.usage_object and in the response (an OpenAI
    chat.completion, whose prompt_tokens hold Claude's cache reads and
    writes). It was read as that response in an envelope: the writes
    priced as uncached input, the logged cost dropped; without a
    response, "cannot tell the log format"."""
    recs, exp = [], []
    day = "2025-10-10"
    t0 = 1760090400.25  # 2025-10-10T10:00:00.25Z

    def payload(pid, model, provider, usage, cost, in_meta=True, status="success", t=0,
                **kw):
        meta = {"user_api_key_hash": "88dc28", "user_api_key_alias": "svc-bot",
                "user_api_key_team_id": "team-1", "user_api_key_team_alias": "eng",
                "spend_logs_metadata": None, "requester_ip_address": "",
                "requester_metadata": {}}
        if in_meta:
            meta["usage_object"] = usage
        rec = {"id": pid, "trace_id": "trace-" + pid, "call_type": "acompletion",
               "stream": False, "response_cost": cost,
               "response_cost_failure_debug_info": None, "status": status,
               "custom_llm_provider": provider,
               "total_tokens": usage.get("total_tokens", 0),
               "prompt_tokens": usage.get("prompt_tokens", 0),
               "completion_tokens": usage.get("completion_tokens", 0),
               "startTime": t0 + t, "endTime": t0 + t + 1.5,
               "completionStartTime": t0 + t + 0.5, "response_time": 1.5,
               "model_map_information": {"model_map_key": model, "model_map_value": None},
               "model": model, "model_id": "dep-1", "model_group": model,
               "api_base": "https://api.example.com", "metadata": meta,
               "cache_hit": None, "cache_key": None, "saved_cache_cost": 0.0,
               "request_tags": [], "end_user": None, "requester_ip_address": "",
               "messages": [{"role": "user", "content": "hi"}],
               "response": {"id": pid, "created": int(t0 + t), "model": model,
                            "object": "chat.completion", "system_fingerprint": None,
                            "choices": [{"finish_reason": "stop", "index": 0,
                                         "message": {"content": "ok",
                                                     "role": "assistant"}}],
                            "usage": usage},
               "model_parameters": {}, "hidden_params": {"model_id": "dep-1",
                                                         "response_cost": cost},
               "error_str": None, "error_information": None}
        rec.update(kw)
        return rec
    # Claude through LiteLLM: prompt_tokens 4000 are 1000 uncached, 1000
    # cache reads and 2000 (5-minute) writes; the logged cost is taken.
    claude = {"completion_tokens": 100, "prompt_tokens": 4000, "total_tokens": 4100,
              "prompt_tokens_details": {"cached_tokens": 1000},
              "cache_creation_input_tokens": 2000, "cache_read_input_tokens": 1000}
    recs.append(payload("lp-1", "claude-sonnet-4-5-20250929", "anthropic", claude, 0.0123))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=1000, o=100, cr=1000,
                   cw=2000, logged=D("0.0123")))
    # The same payload logged twice (two loggers into one file): one id,
    # one request.
    recs.append(payload("lp-1", "claude-sonnet-4-5-20250929", "anthropic", claude, 0.0123))
    # LiteLLM could not price it (response_cost null): the catalog prices
    # every kind, the writes at the write rate; the usage in the response
    # only (no usage_object in the metadata).
    claude2 = {"completion_tokens": 200, "prompt_tokens": 10000, "total_tokens": 10200,
               "prompt_tokens_details": {"cached_tokens": 6000},
               "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 6000}
    recs.append(payload("lp-2", "claude-sonnet-4-5-20250929", "anthropic", claude2, None,
                        in_meta=False, t=60, response_cost_failure_debug_info={
                            "error_str": "model not mapped", "model": "x",
                            "call_type": "acompletion"}))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=1000, o=200, cr=6000,
                   cw=3000))
    # OpenAI's cached prompt tokens, a logged 0 for tokens (no price):
    # the catalog's.
    mini = {"completion_tokens": 300, "prompt_tokens": 2000, "total_tokens": 2300,
            "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0}}
    recs.append(payload("lp-3", "gpt-4o-mini-2024-07-18", "openai", mini, 0.0, t=120))
    exp.append(req("openai", "gpt-4o-mini-2024-07-18", day, i=976, o=300, cr=1024))
    # A failed call: status failure, no tokens, no response.
    recs.append(payload("lp-4", "gpt-4o-mini-2024-07-18", "openai", {}, 0.0, status="failure",
                        t=180, response=None, error_str="RateLimitError",
                        error_information={"error_code": "429",
                                           "error_class": "RateLimitError",
                                           "llm_provider": "openai"}))
    exp.append(req("openai", "gpt-4o-mini-2024-07-18", day, error=True))
    return "litellm_payload.jsonl", recs, exp, []


def helicone_jsonl():
    recs, exp = [], []
    day = "2025-10-09"

    def row(rid, provider, model, pt, cr, cw, ct, cost, status=200):
        return {"response_id": rid, "response_created_at": "2025-10-09T10:00:05.000Z",
                "response_status": status, "request_id": rid,
                "request_created_at": "2025-10-09T10:00:00.000Z", "request_body": {},
                "request_user_id": "u", "request_properties": {"agent": "h", "team": "ht"},
                "provider": provider, "model": model, "prompt_tokens": pt,
                "prompt_cache_read_tokens": cr, "prompt_cache_write_tokens": cw,
                "completion_tokens": ct, "costUSD": cost, "delay_ms": 5,
                "prompt_audio_tokens": 0, "completion_audio_tokens": 0, "scores": {},
                "properties": {}, "assets": [], "cache_enabled": False}
    recs.append(row("h1", "ANTHROPIC", "claude-sonnet-4-5-20250929", 500, 10000, 2000, 300,
                    None))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=500, o=300, cr=10000,
                   cw=2000))
    recs.append(row("h2", "GOOGLE", "gemini-2.5-flash", 5000, 4000, None, "100", None))
    exp.append(req("google", "gemini-2.5-flash", day, i=1000, o=100, cr=4000))
    recs.append(row("h3", "OPENAI", "gpt-4o-mini", 2000, 1024, 0, 100, 0.000123))
    exp.append(req("openai", "gpt-4o-mini", day, i=976, o=100, cr=1024,
                   logged=D("0.000123")))
    recs.append(row("h4", "OPENAI", "gpt-4o", None, None, None, None, 0, status=500))
    exp.append(req("openai", "gpt-4o", day, error=True))
    # Helicone's AWS is Bedrock: prompt tokens exclude cached ones.
    recs.append(row("h5", "AWS", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1000, 0, 0,
                    100, None))
    exp.append(req("aws", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", day, i=1000,
                   o=100))
    return "helicone.jsonl", recs, exp, []


def helicone_csv():
    rows, exp = [], []
    day = "2025-10-09"
    props = json.dumps({"agent": "h"}).replace('"', '""')  # the exporter's extra quoting
    for rid, model, pt, ct, cost, status in [
            ("c1", "gpt-4o-2024-08-06", "1834", "212", "0.004785", "200"),
            ("c2", "claude-3-5-haiku-20241022", "812", "944", "", "200"),
            ("c3", "gpt-4o-2024-08-06", "", "", "", "429")]:
        rows.append({"response_id": rid, "response_created_at": "2025-10-09T11:00:05.000Z",
                     "response_status": status, "request_created_at": "2025-10-09T11:00:00Z",
                     "request_body": "", "request_properties": props,
                     "request_user_id": "cust", "model": model, "prompt_tokens": pt,
                     "completion_tokens": ct, "latency": "5", "cost": cost})
    exp.append(req("openai", "gpt-4o-2024-08-06", day, i=1834, o=212, logged=D("0.004785")))
    exp.append(req("anthropic", "claude-3-5-haiku-20241022", day, i=812, o=944))
    exp.append(req("openai", "gpt-4o-2024-08-06", day, error=True))
    cols = ["cost", "model", "response_id", "prompt_tokens", "completion_tokens",
            "request_created_at", "response_status", "request_properties", "latency",
            "request_user_id", "response_created_at", "request_body"]
    return "helicone.csv", csv_text(cols, rows), exp, []


def langfuse():
    rows, exp = [], []
    day = "2025-10-10"
    q = json.dumps

    def obs(oid, t, model, usage, typ="GENERATION", level="DEFAULT", cost="", meta="{}"):
        return dict(id=oid, type=typ, startTime=q("2025-10-10T10:%02d:00.000Z" % t),
                    traceId="t1", level=level, model=model, usageDetails=json.dumps(usage),
                    totalCost=cost, metadata=meta, traceName="lf-agent",
                    environment="production")
    # OpenAI through Langfuse's OpenAI integration: every prompt and
    # completion detail is a key of its own, subtracted from input and
    # output (shared/formats/README.md section 8).
    rows.append(obs("f1", 0, "gpt-4o-2024-08-06", {
        "input": 976, "input_cached_tokens": 1024, "input_audio_tokens": 0, "output": 160,
        "output_reasoning_tokens": 0, "output_accepted_prediction_tokens": 10,
        "output_rejected_prediction_tokens": 30, "total": 2200}))
    exp.append(req("openai", "gpt-4o-2024-08-06", day, i=976, o=200, cr=1024))
    rows.append(obs("f2", 1, "o3-mini", {"input": 500, "output": 300,
                                         "output_reasoning_tokens": 700, "total": 1500},
                    meta=json.dumps({"agent": "meta-agent"})))
    exp.append(req("openai", "o3-mini", day, i=500, o=1000, rs=700))
    # LangChain's callback handler (langfuse-js): its usage_metadata
    # details as input_<key>/output_<key> (`reasoning`, `cache_read`...),
    # each subtracted from input/output.
    rows.append(obs("f3", 2, "o3-mini", {"input": 400, "input_cache_read": 600,
                                         "output": 100, "output_reasoning": 900,
                                         "total": 2000}))
    exp.append(req("openai", "o3-mini", day, i=400, o=1000, cr=600, rs=900))
    # Audio prompt tokens and (2026) cache writes are details too.
    rows.append(obs("f8", 7, "gpt-4o-2024-08-06", {
        "input": 300, "input_audio_tokens": 200, "input_cached_tokens": 0,
        "input_cache_write_tokens": 500, "output": 40, "output_audio_tokens": 60,
        "total": 1100}))
    exp.append(req("openai", "gpt-4o-2024-08-06", day, i=500, o=100, cw=500))
    rows.append(obs("f9", 8, "gpt-4o-mini", {"input": 100, "input_audio": 50,
                                             "input_cache_read": 0, "output": 10,
                                             "output_audio": 5, "total": 165}))
    exp.append(req("openai", "gpt-4o-mini", day, i=150, o=15))
    # LangChain's Anthropic usage: the writes split by TTL, each detail
    # subtracted from input (the TTL ones a second time, so an uncached
    # input below the writes is lost to Langfuse's clamp at 0 before any
    # export: none here).
    rows.append(obs("f10", 9, "claude-sonnet-4-5-20250929", {
        "input": 0, "input_cache_read": 20000, "input_cache_creation": 5000,
        "input_ephemeral_1h_input_tokens": 3000, "input_ephemeral_5m_input_tokens": 2000,
        "output": 400, "total": 25400}))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, o=400, cr=20000,
                   cw=2000, cw1h=3000))
    rows.append(obs("f4", 3, "claude-sonnet-4-5-20250929", {}, level="ERROR"))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, error=True))
    rows.append(obs("f5", 4, "", {}, typ="SPAN"))
    rows.append(obs("f6", 5, "claude-sonnet-4-5-20250929", {
        "input": 100, "cache_read_input_tokens": 5000, "cache_creation_input_tokens": 1000,
        "output": 50}, cost="0.0055"))
    exp.append(req("anthropic", "claude-sonnet-4-5-20250929", day, i=100, o=50, cr=5000,
                   cw=1000, logged=D("0.0055")))
    rows.append(obs("f7", 6, "text-embedding-3-small", {"input": 1000, "total": 1000},
                    typ="EMBEDDING"))
    exp.append(req("openai", "text-embedding-3-small", day, i=1000))
    # A detail key no path can name: rejected, not read as 0.
    rows.append(obs("f11", 10, "gpt-4o-mini", {"input": 5, "output": 1, "output_x.y": 3}))
    cols = ["model", "usageDetails", "id", "type", "startTime", "traceId", "level",
            "totalCost", "metadata", "traceName", "environment", "inputUsage", "outputUsage"]
    return "langfuse.csv", csv_text(cols, rows), exp, [(len(rows) + 1, "output_x.y")]


def langfuse_jsonl():
    """Langfuse's observations exported as JSON lines (its table export
    offers CSV, JSON and JSONL): the CSV's columns, typed: startTime a
    JSON string, usageDetails and metadata objects, totalCost a number.
    It was "cannot tell the log format" (the CSV export is told by its
    header; a line has no mark of its own): readable only with --format
    langfuse."""
    recs, exp = [], []
    day = "2025-10-11"

    def obs(oid, t, model, usage, typ="GENERATION", level="DEFAULT", cost=None):
        return {"id": oid, "traceId": "t-" + oid, "projectId": "cm1", "type": typ,
                "environment": "production", "parentObservationId": None,
                "startTime": "2025-10-11T09:%02d:00.000Z" % t,
                "endTime": "2025-10-11T09:%02d:02.000Z" % t, "name": "llm-call",
                "metadata": {"agent": "lf-jsonl"}, "level": level, "statusMessage": None,
                "version": None, "input": None, "output": None, "modelParameters": {},
                "completionStartTime": None, "promptId": None,
                "usageDetails": usage, "costDetails": {}, "model": model,
                "internalModelId": "m1", "latency": 2.0, "inputCost": None,
                "outputCost": None, "totalCost": cost, "traceName": "lf-agent",
                "traceTags": [], "userId": None}
    # The export opens with a span (no model call): still told, then
    # skipped.
    recs.append(obs("s0", 0, None, {}, typ="SPAN"))
    # OpenAI's details are keys of their own, subtracted from input and
    # output: cached prompt tokens, reasoning.
    recs.append(obs("g1", 1, "gpt-4o-mini-2024-07-18",
                    {"input": 1000, "input_cached_tokens": 3000, "output": 200,
                     "output_reasoning_tokens": 0, "total": 4200}))
    exp.append(req("openai", "gpt-4o-mini-2024-07-18", day, i=1000, o=200, cr=3000))
    recs.append(obs("g2", 2, "o3-mini-2025-01-31",
                    {"input": 500, "output": 100, "output_reasoning_tokens": 800,
                     "total": 1400}, cost=0.00451))
    exp.append(req("openai", "o3-mini-2025-01-31", day, i=500, o=900, rs=800,
                   logged=D("0.00451")))
    # A failed call: level ERROR, no usage.
    recs.append(obs("g3", 3, "gpt-4o-mini-2024-07-18", {}, level="ERROR"))
    exp.append(req("openai", "gpt-4o-mini-2024-07-18", day, error=True))
    return "langfuse.jsonl", recs, exp, []


def openai_usage():
    day = "2025-10-09"
    page = {"object": "page", "has_more": False, "next_page": None, "data": [{
        "object": "bucket", "start_time": 1759968000, "end_time": 1760054400, "results": [
            {"object": "organization.usage.completions.result", "input_tokens": 100000,
             "input_cached_tokens": 40000, "input_uncached_tokens": 50000,
             "input_cache_write_tokens": 10000, "output_tokens": 20000,
             "input_audio_tokens": 0, "output_audio_tokens": 0, "num_model_requests": 50,
             "project_id": "proj_a", "user_id": None, "api_key_id": None,
             "model": "gpt-4.1-2025-04-14", "batch": None, "service_tier": None},
            {"object": "organization.usage.completions.result", "input_tokens": 200000,
             "input_cached_tokens": None, "output_tokens": 10000, "num_model_requests": 20,
             "project_id": None, "user_id": "user_x", "api_key_id": "key_k",
             "model": "gpt-4o-mini-2024-07-18", "batch": True, "service_tier": "default"},
            {"object": "organization.usage.completions.result", "input_tokens": "30000",
             "input_cached_tokens": "0", "output_tokens": "3000", "num_model_requests": "3",
             "project_id": None, "user_id": None, "api_key_id": None,
             "model": "o3-2025-04-16", "batch": False, "service_tier": "flex"}]}]}
    exp = [req("openai", "gpt-4.1-2025-04-14", day, i=50000, o=20000, cr=40000, cw=10000,
               requests=50),
           req("openai", "gpt-4o-mini-2024-07-18", day, i=200000, o=10000, tier="batch",
               requests=20),
           req("openai", "o3-2025-04-16", day, i=30000, o=3000, tier="flex", requests=3)]
    return "openai_usage.jsonl", [page], exp, []


def openai_costs():
    day = "2025-10-09"
    page = {"object": "page", "has_more": False, "next_page": None, "data": [{
        "object": "bucket", "start_time": 1759968000, "end_time": 1760054400, "results": [
            {"object": "organization.costs.result",
             "amount": {"value": 1.2345678901, "currency": "usd"},
             "line_item": "gpt-4.1-2025-04-14, input", "project_id": "proj_a",
             "api_key_id": None, "quantity": 617283.0, "quantity_unit": "tokens"},
            {"object": "organization.costs.result",
             "amount": {"value": -0.25, "currency": "usd"}, "line_item": None,
             "project_id": None},
            {"object": "organization.costs.result",
             "amount": {"value": 0.0, "currency": "usd"}, "line_item": "o3-2025-04-16, output",
             "project_id": None}]}]}
    exp = [req("openai", "gpt-4.1-2025-04-14", day, logged=D("1.2345678901"), cost_line=True),
           req("openai", "unknown", day, logged=D("-0.25"), cost_line=True)]
    return "openai_costs.jsonl", [page], exp, []


CASES = [openai_chat, openai_responses, anthropic, anthropic_batch, gemini, vertex_batch,
         gemini_batch, bedrock, claude_code,
         claude_code_legacy, litellm, litellm_payload, helicone_jsonl, helicone_csv, langfuse,
         langfuse_jsonl, openai_usage, openai_costs]


# ------------------------------------------------------------- comparison

def expected_rows(pricer, exp):
    rows = {}
    for e in exp:
        k = (e["provider"], e["model"])
        r = rows.setdefault(k, {"requests": 0, "errors": 0, "input_tokens": 0,
                                "output_tokens": 0, "cache_read_tokens": 0,
                                "cache_write_tokens": 0, "reasoning_tokens": 0,
                                "unpriced_requests": 0, "pico": D(0)})
        n = 0 if e["cost_line"] else e["requests"]
        r["requests"] += n
        r["errors"] += n if e["error"] else 0
        r["input_tokens"] += e["in"]
        r["output_tokens"] += e["out"]
        r["cache_read_tokens"] += e["cr"]
        r["cache_write_tokens"] += e["cw"] + e["cw1h"]
        r["reasoning_tokens"] += e["rs"]
        if e["logged"] is not None:  # a logged cost, not 0 of tokens
            r["pico"] += D(str(e["logged"])) * D(10) ** 12
            continue
        c = pricer.cost(e)
        if c is None:
            r["unpriced_requests"] += n
        else:
            r["pico"] += c
    for r in rows.values():
        r["cost_usd"] = (r.pop("pico") / D(10) ** 12).quantize(D("0.000001"), ROUND_HALF_UP)
    return rows


def write(path, content):
    with open(path, "w", encoding="utf-8", newline="") as f:
        if isinstance(content, str):
            f.write(content)
        else:
            for rec in content:
                f.write((rec if isinstance(rec, str) else dumps(rec)) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--burnrate", required=True)
    ap.add_argument("--sources", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--prices", help="a prices file given to ingest (a control)")
    ap.add_argument("--override", action="append", default=[],
                    help="MODEL=IN/OUT: the oracle's own wrong price (a control)")
    a = ap.parse_args()
    genai, litellm_data = load_sources(a.sources)
    override = {}
    for o in a.override:
        m, rates = o.split("=")
        i, out = rates.split("/")
        override[m] = {"input": D(i), "output": D(out)}
    pricer = Pricer(genai, litellm_data, override)
    os.makedirs(a.work, exist_ok=True)
    bad, compared = [], 0
    for case in CASES:
        name, content, exp, rejects = case()
        path = os.path.join(a.work, name)
        write(path, content)
        store = os.path.join(a.work, "store-" + name)
        rej = os.path.join(a.work, "rejects-" + name)
        br = [a.burnrate, "--quiet", "--store", store]
        subprocess.run(br + ["init"], check=True, stdout=subprocess.DEVNULL)
        ing = br + ["ingest", "--rejects", rej] + (["--prices", a.prices] if a.prices else [])
        p = subprocess.run(ing + [path], capture_output=True, text=True)
        if p.returncode != 0:
            bad.append("%s: ingest exit %d: %s" % (name, p.returncode, p.stderr.strip()))
            continue
        got_rej = open(rej).read().splitlines() if os.path.exists(rej) else []
        want_rej = ["%s:%d:" % (path, line) for line, _ in rejects]
        for (line, what), prefix in zip(rejects, want_rej):
            if not any(g.startswith(prefix) and what in g for g in got_rej):
                bad.append("%s: line %d not rejected naming %r: %s" % (name, line, what,
                                                                       got_rej))
        if len(got_rej) != len(rejects):
            bad.append("%s: %d rejected, want %d: %s" % (name, len(got_rej), len(rejects),
                                                        got_rej))
        p = subprocess.run(br + ["report", "--since", "2000-01-01", "--until", "2030-12-31",
                                 "--as-of", "2030-12-31", "--by", "provider,model",
                                 "--format", "json"] +
                           (["--prices", a.prices] if a.prices else []),
                           capture_output=True, text=True)
        if p.returncode != 0:
            bad.append("%s: report exit %d: %s" % (name, p.returncode, p.stderr.strip()))
            continue
        got = {(r["provider"], r["model"]): r for r in json.loads(p.stdout)["rows"]}
        want = expected_rows(pricer, exp)
        for k in sorted(set(got) | set(want)):
            compared += 1
            g, w = got.get(k), want.get(k)
            if g is None or w is None:
                bad.append("%s %s/%s: %s" % (name, k[0], k[1],
                                             "missing" if g is None else "unexpected"))
                continue
            for f, v in w.items():
                gv = D(str(g[f])) if f == "cost_usd" else g[f]
                if gv != v:
                    bad.append("%s %s/%s %s: got %s, want %s" % (name, k[0], k[1], f, gv, v))
    for b in bad:
        print(b)
    print("%d rows in %d files, %d disagree" % (compared, len(CASES), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
