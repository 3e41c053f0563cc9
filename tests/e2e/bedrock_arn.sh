#!/bin/sh
# bedrock_arn.sh - the agent of a Bedrock record taken from identity.arn:
# an IAM user under a path is its last component (user/division/team/dana
# is dana), a federated user its name, and a trailing slash ends no name
# (user/dana/ is dana; 69f3efa made it empty, the agent lost).
. "$(dirname "$0")/common.inc"
cd "$tmp"
rec() { # ID ARN
	printf '{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2025-09-01T10:00:00Z","accountId":"123456789012","identity":{"arn":"%s"},"region":"us-east-1","requestId":"%s","operation":"InvokeModel","modelId":"anthropic.claude-3-haiku-20240307-v1:0","input":{"inputContentType":"application/json","inputTokenCount":10},"output":{"outputContentType":"application/json","outputTokenCount":5}}\n' "$2" "$1"
}
{
	rec r1 arn:aws:iam::123456789012:user/division/team/dana
	rec r2 arn:aws:iam::123456789012:user/erin/
	rec r3 arn:aws:sts::123456789012:federated-user/fay
	rec r4 arn:aws:sts::123456789012:assumed-role/gus-role/session1
} >b.jsonl
"$BURNRATE" --store s init >/dev/null
"$BURNRATE" --store s --quiet ingest --format bedrock b.jsonl
"$BURNRATE" --store s report --since 2025-09-01 --until 2025-09-01 --by agent --format csv | cut -d, -f1 | sed 1d | sort | tr '\n' ' ' >agents
[ "$(cat agents)" = "dana erin fay gus-role " ] || fail "agents: $(cat agents)"
echo "bedrock_arn: ok"
