"""formats_oracle.py - an independent reading of the log formats of
shared/formats/README.md (and docs/FORMATS.md) for tests/oracle.py: each
input becomes a list of (line, event or Reject), events being the dicts
oracle.py aggregates. Written from the format documentation, not from the
C code: Python's json, Decimal, and a plain CSV reader of its own.
"""
import json
import re
from decimal import Decimal

TOKENS = ["input_tokens", "output_tokens", "cache_read_tokens",
          "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens"]


class Reject(Exception):
    pass


def _dig(o, path):
    for k in path.split("."):
        if not isinstance(o, dict):
            return None
        o = o.get(k)
    return o


def _s(o, *paths):
    for p in paths:
        v = _dig(o, p)
        if isinstance(v, str) and v:
            return v
    return ""


def _n(o, path):
    v = _dig(o, path)
    if v is None or v == "":
        return 0
    if isinstance(v, str) and re.fullmatch(r"[0-9]+|-0+", v):
        return int(v)  # a CSV cell: -0 is the integer 0, as JSON's is
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)) or v < 0 \
            or v != int(v):
        raise Reject("invalid %s" % path)
    return int(v)


def _ts(v, time_parser):
    if isinstance(v, int) and not isinstance(v, bool):
        return v * 1000000
    if isinstance(v, str) and v:
        return time_parser(v)
    return None


def _event(**kw):
    ev = {"provider": "", "model": "", "agent": "", "label": "",
          "request_id": "", "error": False, "tier": "standard", "cost": None,
          "requests": 1}
    for f in TOKENS:
        ev[f] = 0
    ev.update(kw)
    return ev


TIER = {"default": "standard", "standard": "standard", "auto": "standard",
        "batch": "batch", "flex": "flex", "priority": "priority",
        "scale": "standard", "on_demand": "standard"}


def _tier(v):
    if not v:
        return "standard"
    if v not in TIER:
        raise Reject("unknown service tier")
    return TIER[v]


def _envelope(root, ev, tp):
    ev["agent"] = _s(root, "agent") or _s(_payload(root), "metadata.agent")
    ev["label"] = _s(root, "team")
    st = root.get("http_status")
    if isinstance(st, int) and st >= 400:
        ev["error"] = True
    ev["request_id"] = _s(root, "request_id", "x_request_id")
    if ev.get("ts") is None:
        ev["ts"] = _ts(root.get("logged_at") or root.get("timestamp"), tp)
        if ev["ts"] is None:
            raise Reject("missing timestamp")


def _payload(root):
    for k in ("response", "event"):
        if isinstance(root.get(k), dict):
            return root[k]
    return root


def _openai(root, tp, held):
    o = _payload(root)
    if isinstance(o.get("response"), dict):
        o = o["response"]
    u = o.get("usage")
    if o.get("object") == "chat.completion.chunk" and not isinstance(u, dict):
        return []
    # Other APIs answer in OpenAI's shape: their models are theirs.
    ev = _event(provider=infer_provider(_s(o, "model")) or "openai",
                model=_s(o, "model"),
                ts=_ts(o.get("created") or o.get("created_at"), tp))
    _envelope(root, ev, tp)
    if _s(o, "id"):
        ev["request_id"] = o["id"]
    ev["tier"] = _tier(o.get("service_tier"))
    if o.get("status") in ("failed", "cancelled") or isinstance(o.get("error"), dict):
        ev["error"] = True
    if not ev["model"] and isinstance(o.get("error"), dict):
        ev["model"] = "unknown"
    if isinstance(u, dict):
        # Chat names prompt_tokens, Responses input_tokens; null is absent.
        chat = u.get("prompt_tokens") is not None or (
            u.get("input_tokens") is None and u.get("completion_tokens") is not None)
        pin = _n(u, "prompt_tokens" if chat else "input_tokens")
        det = "prompt_tokens_details" if chat else "input_tokens_details"
        cached = _n(u, det + ".cached_tokens")
        if chat and not isinstance(u.get(det), dict) or chat and \
                u[det].get("cached_tokens") is None:
            cached = _n(u, "prompt_cache_hit_tokens")  # DeepSeek's name
        write = _n(u, det + ".cache_write_tokens")
        ev["cache_read_tokens"] = cached
        ev["cache_write_tokens"] = write
        ev["input_tokens"] = max(0, pin - cached - write)
        ev["output_tokens"] = _n(u, "completion_tokens" if chat else "output_tokens")
        ev["reasoning_tokens"] = _n(u, ("completion_tokens_details" if chat else
                                        "output_tokens_details") + ".reasoning_tokens")
    else:
        ev["error"] = True
    if o.get("object") == "chat.completion.chunk":
        # Chunks with usage (one at the end, or the running usage on
        # every one): one request, the chunk with the most tokens.
        if not ev["model"]:
            raise Reject("missing model")
        _merge_most(held, ev["request_id"], ev)
        return []
    return [ev]


class _Held(list):
    """An input's held events, and the Anthropic stream that an event
    without an id joins: (key, request id) of the last message_start,
    None once a message_stop ended it."""
    stream = None
    streams = 0
    rejected = frozenset()  # request ids of rejected message_starts
    last_rejected = False   # the last message_start was, its stream open


def _merge_most(held, key, ev):
    """Keeps, of the copies of key, the one with the most tokens (the
    first of equal ones)."""
    total = lambda e: sum(e[f] for f in TOKENS if f != "reasoning_tokens")
    for entry in held if key else ():
        if entry[0] == key:
            if total(ev) > total(entry[1]):
                entry[1] = ev
            return
    held.append([key, ev])


def _merge_fields(held, key, ev):
    if not key:
        held.append([None, ev])
        return
    for k, old in held:
        if k == key:
            # Cache writes merge as a total and its 1-hour part: an
            # Anthropic message_delta gives cache_creation_input_tokens
            # without message_start's 5m/1h breakdown.
            writes = max(old["cache_write_tokens"] + old["cache_write_1h_tokens"],
                         ev["cache_write_tokens"] + ev["cache_write_1h_tokens"])
            for f in TOKENS:
                old[f] = max(old[f], ev[f])
            old["cache_write_tokens"] = writes - old["cache_write_1h_tokens"]
            old["ts"] = min(old["ts"], ev["ts"])
            old["error"] = old["error"] or ev["error"]
            if not old["model"]:
                old["model"], old["provider"] = ev["model"], ev["provider"]
            if ev["tier"] != "standard":
                old["tier"] = ev["tier"]
            if "gemini" in old:
                # Gemini's counts as the response gives them, each the
                # largest of its chunks; the tokens made of them again.
                for f in old["gemini"]:
                    old["gemini"][f] = max(old["gemini"][f], ev["gemini"][f])
                _gemini_tokens(old)
            return
    held.append([key, ev])


def _gemini_tokens(ev):
    g = ev["gemini"]
    ev["input_tokens"] = max(0, g["prompt"] - g["cached"])
    ev["cache_read_tokens"] = g["cached"]
    ev["output_tokens"] = g["candidates"] + g["thoughts"]
    ev["reasoning_tokens"] = g["thoughts"]


def _cache_writes(total, ttl, ev):
    """Cache writes: total is cache_creation_input_tokens (the billed
    count), ttl its breakdown {ephemeral_5m_input_tokens,
    ephemeral_1h_input_tokens} or None. The 1-hour writes are the
    breakdown's; a breakdown short of the total leaves the rest as
    5-minute writes, one above it is taken as it is."""
    w5 = w1 = 0
    if isinstance(ttl, dict):
        w5 = _n(ttl, "ephemeral_5m_input_tokens")
        w1 = _n(ttl, "ephemeral_1h_input_tokens")
    ev["cache_write_tokens"] = w5 if w5 + w1 >= total else total - w1
    ev["cache_write_1h_tokens"] = w1


def _anthropic_usage(u, ev):
    """An Anthropic usage object: input excludes the cache; the
    cache_creation breakdown splits 5-minute and 1-hour writes."""
    ev["input_tokens"] = _n(u, "input_tokens")
    ev["output_tokens"] = _n(u, "output_tokens")
    ev["cache_read_tokens"] = _n(u, "cache_read_input_tokens")
    _cache_writes(_n(u, "cache_creation_input_tokens"), u.get("cache_creation"), ev)
    ev["reasoning_tokens"] = _n(u, "output_tokens_details.thinking_tokens")
    ev["tier"] = _tier(u.get("service_tier"))


def _claude_provider(model):
    """Claude through Bedrock ("anthropic.claude-...", "us.anthropic....")
    or Vertex ("claude-...@20250929") is those platforms'."""
    if model.startswith("anthropic.") or ".anthropic." in model:
        return "bedrock"
    if model.startswith("arn:") and ":bedrock:" in model:  # a Bedrock ARN
        return "bedrock"
    if model.startswith("claude") and "@" in model:
        return "vertex_ai"
    return "anthropic"


def _anthropic(root, tp, held):
    o = _payload(root)
    t = o.get("type")
    msg = o.get("message") if t == "message_start" else o
    if t == "message_start":
        held.stream = None
    if t == "message_stop":
        sid = _s(root, "request_id") or _s(root, "x_request_id") or _s(o, "request_id")
        if held.stream and (not sid or sid == held.stream[1]):
            held.stream = None
        if not sid or sid in held.rejected:
            held.last_rejected = False
        return []
    if t == "error":
        u = None
    elif t == "message_delta":
        u = o.get("usage")
    elif t in ("message", "message_start"):
        u = msg.get("usage")
    else:
        return []
    ev = _event(provider=_claude_provider(_s(msg, "model")),
                model=_s(msg, "model"), ts=None)
    if t == "error":
        ev["error"] = True
    _envelope(root, ev, tp)
    ev["request_id"] = ev["request_id"] or _s(msg, "id") or _s(o, "request_id")
    if isinstance(u, dict):
        _anthropic_usage(u, ev)
    key = ev["request_id"]
    if t in ("message", "message_start") and not ev["model"] and not ev["error"]:
        if t == "message_start":
            # its stream's later pieces are rejected too (docs/FORMATS.md)
            held.rejected = held.rejected | {key}
            held.last_rejected = True
        raise Reject("missing model")
    if t == "message_start":
        held.last_rejected = False
    if t in ("message_delta", "error") and (
            (key and key in held.rejected and not any(e[0] == key for e in held)) or
            (not key and not held.stream and held.last_rejected)):
        if not key and t == "error":
            held.last_rejected = False
        raise Reject("its stream's message_start was rejected")
    if t == "message_start":
        # Stream events without an id join the last message_start.
        key = key or ("stream", held.streams)
        held.streams += 1
        held.stream = (key, ev["request_id"])
    elif not key and t == "message_delta":
        if not held.stream:
            raise Reject("stream event without request id")
        key, ev["request_id"] = held.stream
    elif not key and t == "error" and held.stream:
        # A mid-stream error fails the open stream and ends it.
        key, ev["request_id"] = held.stream
        held.stream = None
    _merge_fields(held, key, ev)
    return []


def _gemini(root, tp, held):
    o = _payload(root)
    u = o.get("usageMetadata")
    # createTime and usageMetadata.trafficType are Vertex's only (README
    # section 4): a bare response with either is Vertex's.
    vertex = (root.get("api") == "vertex" or o.get("createTime") is not None or
              (isinstance(u, dict) and u.get("trafficType") is not None))
    ev = _event(provider="vertex_ai" if vertex else "google",
                model=_s(o, "modelVersion"), ts=_ts(o.get("createTime"), tp))
    _envelope(root, ev, tp)
    if _s(o, "responseId"):
        ev["request_id"] = o["responseId"]
    # Stream chunks merge these counts, not the tokens made of them: a
    # chunk may lack the cached count that another of its stream gives.
    ev["gemini"] = {"prompt": 0, "cached": 0, "candidates": 0, "thoughts": 0}
    if isinstance(u, dict):
        ev["gemini"] = {
            "prompt": _n(u, "promptTokenCount") + _n(u, "toolUsePromptTokenCount"),
            "cached": _n(u, "cachedContentTokenCount"),
            "candidates": _n(u, "candidatesTokenCount"),
            "thoughts": _n(u, "thoughtsTokenCount")}
        _gemini_tokens(ev)
        # Vertex's quota: Priority PayGo and Flex have their own rates.
        ev["tier"] = {"ON_DEMAND_PRIORITY": "priority",
                      "ON_DEMAND_FLEX": "flex"}.get(u.get("trafficType"), "standard")
    elif not isinstance(o.get("candidates"), list):
        # No usage and no content: failed. A stream chunk with candidates
        # but no usageMetadata is part of a request, not a failure.
        ev["error"] = True
    if isinstance(o.get("error"), dict):
        ev["error"] = True
    _merge_fields(held, ev["request_id"], ev)
    return []


def _bedrock(root, tp, held):
    arn = _s(root, "identity.arn")
    role = ""
    for marker in (":assumed-role/", ":user/"):
        if marker in arn:
            role = arn.split(marker, 1)[1].split("/", 1)[0]
            break
    ev = _event(provider="bedrock", model=_s(root, "modelId"),
                ts=_ts(root.get("timestamp"), tp),
                request_id=_s(root, "requestId"),
                agent=_s(root, "requestMetadata.agent") or role,
                label=_s(root, "requestMetadata.team"),
                error=root.get("errorCode") is not None)
    if ev["ts"] is None:
        raise Reject("missing timestamp")
    ev["input_tokens"] = _n(root, "input.inputTokenCount")
    # The response body's usage may hold the cache counts the top-level
    # fields lack (Claude's Message from InvokeModel, Converse's usage):
    # the same tokens, so the larger of the two, never their sum.
    u = _dig(root, "output.outputBodyJson.usage")
    u = u if isinstance(u, dict) else {}
    ev["cache_read_tokens"] = max(_n(root, "input.cacheReadInputTokenCount"),
                                  _n(u, "cache_read_input_tokens"),
                                  _n(u, "cacheReadInputTokens"))
    _cache_writes(max(_n(root, "input.cacheWriteInputTokenCount"),
                      _n(u, "cache_creation_input_tokens"),
                      _n(u, "cacheWriteInputTokens")), u.get("cache_creation"), ev)
    ev["output_tokens"] = _n(root, "output.outputTokenCount")
    return [ev]


def _claude_code(root, tp, held):
    m = root.get("message")
    if not isinstance(m, dict) or not isinstance(m.get("usage"), dict):
        return []
    if m.get("model") == "<synthetic>" or root.get("isApiErrorMessage") is True:
        return []
    u = m["usage"]
    cwd = _s(root, "cwd").rstrip("/")
    ev = _event(provider=_claude_provider(_s(m, "model")), model=_s(m, "model"),
                ts=_ts(root.get("timestamp"), tp), agent="claude-code",
                label=cwd.rsplit("/", 1)[-1] if cwd else "")
    if ev["ts"] is None:
        raise Reject("missing timestamp")
    _anthropic_usage(u, ev)
    c = root.get("costUSD")
    if isinstance(c, (int, Decimal)) and not isinstance(c, bool):
        ev["cost"] = Decimal(c)
    msgid, reqid = _s(m, "id"), _s(root, "requestId")
    key = "%s:%s" % (msgid, reqid) if msgid and reqid else msgid
    ev["request_id"] = key
    total = lambda e: sum(e[f] for f in TOKENS if f != "reasoning_tokens")
    side = root.get("isSidechain") is True
    ev["message_id"], ev["sidechain"] = msgid, side
    if key:
        for entry in held:
            if entry[0] == key:
                if total(ev) > total(entry[1]):
                    entry[1] = ev
                    entry[2] = side
                return []
    held.append([key, ev, side, msgid])
    return []


def _claude_code_release(held):
    """A sidechain copy is dropped beside a main copy of its message, or
    an earlier sidechain copy under another request id (a /btw side
    question's log replays the parent's messages)."""
    main = {e[3] for e in held if not e[2] and e[3]}
    out, side = [], set()
    for key, ev, is_side, msgid in held:
        if is_side and msgid:
            if msgid in main or msgid in side:
                continue
            side.add(msgid)
        ev["sidechain"] = is_side  # the merged copy's
        out.append(ev)
    return out


def _upsert(held, key, ev):
    """README engine rule 6: aggregate rows are upserted by their group
    key (a page fetched again replaces, never adds)."""
    for entry in held:
        if entry[0] == key:
            entry[1] = ev
            return
    held.append([key, ev])


def _openai_usage(root, tp, held):
    page = []  # upserted once the whole page is read: a bad result rejects it
    for b in root.get("data") or []:
        start = _ts(b.get("start_time"), tp)
        bucket = (b.get("start_time"), b.get("end_time"))
        for r in b.get("results") or []:
            if r.get("object") == "organization.costs.result":
                amount = _dig(r, "amount.value")
                if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)):
                    raise Reject("invalid cost")
                if amount == 0:
                    continue
                item = r.get("line_item") or ""
                page.append((("cost",) + bucket + tuple(
                    r.get(k) for k in ("line_item", "project_id", "api_key_id")),
                    _event(provider="openai",
                           model=item.split(",", 1)[0] or "unknown",
                           ts=start, agent=_s(r, "api_key_id"),
                           label=_s(r, "project_id"), requests=0,
                           cost=Decimal(amount))))
                continue
            if r.get("object") not in (None, "organization.usage.completions.result",
                                       "organization.usage.embeddings.result"):
                raise Reject("unsupported result object")
            ev = _event(provider="openai", model=_s(r, "model") or "unknown",
                        ts=start, agent=_s(r, "api_key_id", "user_id"),
                        label=_s(r, "project_id"))
            pin = _n(r, "input_tokens")
            ev["cache_read_tokens"] = _n(r, "input_cached_tokens")
            ev["cache_write_tokens"] = _n(r, "input_cache_write_tokens")
            ev["input_tokens"] = max(0, pin - ev["cache_read_tokens"] -
                                     ev["cache_write_tokens"])
            ev["output_tokens"] = _n(r, "output_tokens")
            ev["requests"] = _n(r, "num_model_requests")
            if r.get("service_tier"):
                ev["tier"] = _tier(r["service_tier"])
            if r.get("batch") is True:  # the Batch API, whatever the tier says
                ev["tier"] = "batch"
            if not ev["requests"] and (pin or ev["output_tokens"]):
                raise Reject("a usage result with tokens but no "
                             "num_model_requests")
            if ev["requests"]:
                emb = r.get("object") == "organization.usage.embeddings.result"
                page.append((("embeddings" if emb else "usage",) + bucket + tuple(
                    r.get(k) for k in ("project_id", "user_id", "api_key_id",
                                       "model", "batch", "service_tier")), ev))
    for key, ev in page:
        _upsert(held, key, ev)
    return []


PREFIXES = [("vertex_ai/", "vertex_ai"), ("openrouter/", "openrouter"),
            ("bedrock/", "bedrock"), ("gemini/", "google"), ("azure/", "azure"),
            ("anthropic/", "anthropic"), ("openai/", "openai"),
            ("mistral/", "mistral"), ("groq/", "groq"),
            ("together_ai/", "together"), ("fireworks_ai/", "fireworks"),
            ("deepseek/", "deepseek"), ("xai/", "xai"),
            ("anthropic.", "bedrock"), ("us.", "bedrock"), ("eu.", "bedrock"),
            ("apac.", "bedrock"), ("jp.", "bedrock"), ("au.", "bedrock"),
            ("global.", "bedrock"), ("us-gov.", "bedrock"),
            ("amazon.", "bedrock"), ("meta.", "bedrock"),
            ("mistral.", "bedrock"), ("cohere.", "bedrock"),
            ("ai21.", "bedrock"), ("gpt-", "openai"), ("chatgpt-", "openai"),
            ("text-embedding-", "openai"),
            ("o1", "openai"), ("o3", "openai"), ("o4", "openai"),
            ("ft:gpt", "openai"), ("claude", "anthropic"),
            ("gemini", "google"), ("gemma", "google"), ("mistral", "mistral"),
            ("codestral", "mistral"), ("magistral", "mistral"),
            ("ministral", "mistral"), ("pixtral", "mistral"),
            ("open-mistral", "mistral"), ("grok", "xai"),
            ("deepseek", "deepseek"), ("command", "cohere")]


def infer_provider(model):
    for p, prov in PREFIXES:
        if model.startswith(p):
            return prov
    return ""


def _litellm(row, tp, held):
    meta = row.get("metadata") if isinstance(row.get("metadata"), dict) else {}
    u = meta.get("usage_object")
    if not isinstance(u, dict):
        u = meta.get("additional_usage_values") or {}
    model = _s(row, "model", "model_group")
    ev = _event(model=model, ts=_ts(row.get("startTime"), tp),
                provider=_s(row, "custom_llm_provider") or infer_provider(model),
                request_id=_s(row, "request_id"),
                agent=_s(row, "metadata.spend_logs_metadata.agent", "agent_id",
                         "end_user", "metadata.user_api_key_alias"),
                label=_s(row, "metadata.user_api_key_team_alias", "team_id"),
                error=row.get("status") == "failure")
    if ev["ts"] is None:
        raise Reject("missing startTime")
    prompt = _n(row, "prompt_tokens")
    cr = _n(u, "cache_read_input_tokens") or _n(u, "prompt_tokens_details.cached_tokens")
    # The 1-hour part of the writes: LiteLLM's split, or Anthropic's own
    # (a usage passed through from /v1/messages).
    ttl = _dig(u, "prompt_tokens_details.cache_creation_token_details")
    if not isinstance(ttl, dict):
        ttl = u.get("cache_creation")
    _cache_writes(_n(u, "cache_creation_input_tokens"), ttl, ev)
    ev["cache_read_tokens"] = cr
    ev["input_tokens"] = max(0, prompt - cr - ev["cache_write_tokens"] -
                             ev["cache_write_1h_tokens"])
    ev["output_tokens"] = _n(row, "completion_tokens")
    ev["reasoning_tokens"] = _n(u, "completion_tokens_details.reasoning_tokens")
    spend = row.get("spend")
    if spend not in (None, ""):
        ev["cost"] = Decimal(str(spend))
    if str(row.get("cache_hit")).lower() == "true":
        for f in TOKENS:
            ev[f] = 0
        ev["cost"] = Decimal(0)
    if not ev["model"] and ev["error"]:
        ev["model"] = "unknown"
    ev["provider"] = ev["provider"] or "unknown"
    return [ev]


def _helicone(row, tp, held):
    # A row of Helicone's ClickHouse table names the status "status" and
    # keeps "cost" in nano-dollars (shared/formats/README.md section 8).
    clickhouse = "response_status" not in row and "status" in row
    model = _s(row, "model", "response_model", "request_model")
    ev = _event(model=model,
                ts=_ts(row.get("request_created_at") or row.get("response_created_at"), tp),
                # Helicone's X and VERCEL (docs/FORMATS.md).
                provider={"x": "xai", "vercel": "vercel_ai_gateway"}.get(
                    _s(row, "provider").lower(), _s(row, "provider").lower())
                or infer_provider(model),
                request_id=_s(row, "request_id", "response_id"),
                agent=_s(row, "request_properties.agent",
                         "request_properties.Helicone-Property-Agent",
                         "properties.agent", "properties.Helicone-Property-Agent",
                         "request_user_id", "user_id"),
                label=_s(row, "request_properties.team", "properties.team"))
    if ev["ts"] is None:
        raise Reject("missing request_created_at")
    st = row.get("status" if clickhouse else "response_status")
    ev["error"] = st not in (None, "") and int(st) >= 400
    prompt = _n(row, "prompt_tokens")
    cr = _n(row, "prompt_cache_read_tokens")
    cw = _n(row, "prompt_cache_write_tokens")
    ev["cache_read_tokens"] = cr
    ev["cache_write_tokens"] = cw
    # OpenAI's and Google's prompt counts hold the cached tokens.
    inclusive = ev["provider"].lower() not in ("anthropic", "bedrock", "aws")
    ev["input_tokens"] = max(0, max(0, prompt - cr) - cw) if inclusive else prompt
    ev["output_tokens"] = _n(row, "completion_tokens")
    for k in ("costUSD", "cost_usd", "cost"):  # the first given (not null)
        if row.get(k) not in (None, ""):
            if clickhouse and k == "cost":
                if not (str(row[k]).isascii() and str(row[k]).isdigit()):
                    raise Reject("invalid cost in cost")
                ev["cost"] = Decimal(str(row[k])) / Decimal(10**9)
            else:
                ev["cost"] = Decimal(str(row[k]))
            break
    ev["provider"] = ev["provider"] or "unknown"
    return [ev]


LANGFUSE_CALLS = ("AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR",
                  "EMBEDDING", "GUARDRAIL")


def _first_n(o, *paths):
    """The count of the first of paths present (mappings.json's coalesce)."""
    for p in paths:
        if _dig(o, p) not in (None, ""):
            return _n(o, p)
    return 0


def _langfuse(row, tp, held):
    # mappings.json record_if: the model-calling types with usage or a
    # cost; a GENERATION always (one that failed is an error request).
    t = row.get("type")
    if t not in (None, "", "GENERATION"):
        cost = row.get("totalCost")
        if t not in LANGFUSE_CALLS or not (
                (isinstance(row.get("usageDetails"), dict) and row["usageDetails"])
                or (cost not in (None, "") and Decimal(str(cost)) > 0)):
            return []
    model = _s(row, "model")
    ev = _event(model=model, ts=_ts(row.get("startTime"), tp),
                provider=infer_provider(model) or "unknown",
                request_id=_s(row, "id"),
                agent=_s(row, "metadata.agent", "traceName"),
                label=_s(row, "environment"), error=row.get("level") == "ERROR")
    if ev["ts"] is None:
        raise Reject("missing startTime")
    u = row.get("usageDetails")
    if isinstance(u, dict) and u:
        ev["input_tokens"] = _n(u, "input")
        ev["cache_read_tokens"] = _first_n(u, "input_cached_tokens", "input_cache_read",
                                           "cache_read_input_tokens")
        ev["cache_write_tokens"] = _first_n(u, "input_cache_creation",
                                            "cache_creation_input_tokens")
        ev["reasoning_tokens"] = _n(u, "output_reasoning_tokens")
        ev["output_tokens"] = _n(u, "output") + ev["reasoning_tokens"]
    else:
        ev["input_tokens"] = _n(row, "inputUsage")
        ev["output_tokens"] = _n(row, "outputUsage")
    c = row.get("totalCost")
    if c not in (None, ""):
        ev["cost"] = Decimal(str(c))
    return [ev]


JSON_FORMATS = {"openai": _openai, "anthropic": _anthropic, "gemini": _gemini,
                "bedrock": _bedrock, "claude-code": _claude_code,
                "openai-usage": _openai_usage, "litellm": _litellm,
                "helicone": _helicone}
CSV_FORMATS = {"litellm": _litellm, "helicone": _helicone,
               "langfuse": _langfuse}


def _cell(v):
    """A CSV cell as a value: JSON text (quotes doubled once more than CSV
    needs, as Helicone's exporter writes them) or a JSON string (Langfuse's
    dates) decoded, anything else as is."""
    if v[:1] in ("{", "[", '"'):
        for text in (v, v.replace('""', '"')):
            try:
                x = json.loads(text, parse_float=Decimal)
                if isinstance(x, (dict, list, str)):
                    return x
            except ValueError:
                pass
    return v


def parse(fmt, data, csv_records, time_parser):
    """(line, event or Reject) for every record of one input of format fmt;
    events held for merging come last, with line 0."""
    text = data.decode("utf-8")
    held, out = _Held(), []
    if text.lstrip()[:1] == "{":
        fn = JSON_FORMATS[fmt]
        for ln, raw in enumerate(text.split("\n"), 1):
            raw = raw.rstrip("\r")
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw, parse_float=Decimal)
                if not isinstance(obj, dict):
                    raise Reject("not an object")
                evs = fn(obj, time_parser, held)
                for ev in evs:
                    if not ev["model"]:
                        raise Reject("missing model")
                out.append((ln, evs))
            except (ValueError, Reject) as e:
                out.append((ln, Reject(str(e))))
    else:
        fn = CSV_FORMATS[fmt]
        recs = csv_records(text)
        header = recs[0][1]
        for ln, cells in recs[1:]:
            try:
                if cells is None or len(cells) != len(header):
                    raise Reject("bad CSV record")
                row = {h: _cell(c) for h, c in zip(header, cells) if c != ""}
                evs = fn(row, time_parser, held)
                for ev in evs:
                    if not ev["model"]:
                        raise Reject("missing model")
                out.append((ln, evs))
            except Reject as e:
                out.append((ln, e))
    if fmt == "claude-code":
        rest = _claude_code_release(held)
    else:
        rest = [e[1] for e in held]
    for ev in rest:
        ev["model"] = ev["model"] or "unknown"
    if rest:
        out.append((0, rest))
    return out
