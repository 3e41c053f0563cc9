#!/bin/sh
# samples.sh - the ready-made jobs of samples/ work as the README says:
# the CI examples' scripts (samples/ci/*.yml), run as their CI would run
# them (burnrate for real, curl and the CI's variables stubbed), write a
# baseline on the main branch and, on a pull or merge request, fail a
# regression (exit 3), pass equal spend and pass when main has no baseline
# yet; GitLab's job that makes ci-logs/ runs in merge request pipelines,
# where the check reads it (a job without rules runs in branch pipelines
# only). The systemd unit lets the nightly run write where the README's
# configuration writes (ProtectSystem=strict leaves all else read-only).
. "$(dirname "$0")/common.inc"
cd "$tmp"
command -v bash >/dev/null || { echo "samples: skipped (no bash)"; exit 0; }
mkdir bin
ln -s "$BURNRATE" bin/burnrate
# curl as GitLab's job uses it: the baseline artifact of the default
# branch, copied from $STUB_BASELINE, or a 404 when that is empty.
cat >bin/curl <<'EOF'
#!/bin/sh
out=
while [ $# -gt 0 ]; do
	case $1 in --output) out=$2; shift ;; esac
	shift
done
if [ -z "${STUB_BASELINE:-}" ]; then
	echo "curl: (22) The requested URL returned error: 404" >&2
	exit 22
fi
cp "$STUB_BASELINE" "$out"
EOF
chmod +x bin/curl
PATH=$tmp/bin:$PATH
export PATH

# Two runs of the tests' logs: main's, and a pull request's that costs more.
logs() { # FILE COUNT: COUNT requests of gpt-4o at a logged $0.01
	i=0
	while [ $i -lt "$2" ]; do
		printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"r%d","usage":{"input_tokens":100,"output_tokens":10},"cost_usd":0.01}\n' $i
		i=$((i + 1))
	done >"$1"
}
logs main.jsonl 100
logs pr.jsonl 200

# The scripts of a YAML file's jobs or steps, as text: job NAME's script
# (GitLab), or the run of the step whose name or id is NAME (GitHub).
script() { # FILE NAME
	"$PYTHON" - "$1" "$2" <<'EOF'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
name = sys.argv[2]
if "jobs" in doc:
    for job in doc["jobs"].values():
        for step in job["steps"]:
            if name in (step.get("name"), step.get("id")):
                print(step["run"])
                sys.exit(0)
elif name in doc:
    print("\n".join(doc[name]["script"]))
    sys.exit(0)
sys.exit("no job or step " + name)
EOF
}

# ----------------------------------------------------------- GitLab CI
gl=$root/samples/ci/gitlab-ci.yml
"$PYTHON" - "$gl" <<'EOF' || fail "gitlab-ci.yml: the job making ci-logs/ does not run where the check reads them"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
job = doc["llm-tests"]
conds = [r.get("if", "") for r in job.get("rules", [])]
sys.exit(0 if any("merge_request_event" in c for c in conds) and
         any("CI_DEFAULT_BRANCH" in c for c in conds) else 1)
EOF
CI_JOB_TOKEN=t CI_API_V4_URL=https://gitlab.example.com/api/v4 \
	CI_PROJECT_ID=1 CI_DEFAULT_BRANCH=main CI_MERGE_REQUEST_IID=1 \
	LLM_SPEND_TOKEN=
export CI_JOB_TOKEN CI_API_V4_URL CI_PROJECT_ID CI_DEFAULT_BRANCH \
	CI_MERGE_REQUEST_IID LLM_SPEND_TOKEN
script "$gl" llm-spend-baseline >gl-base.sh
script "$gl" llm-spend-check >gl-check.sh
gitlab() { # DIR SCRIPT [BASELINE]: runs it as the runner does (bash -e),
	# the default branch's artifact BASELINE (none: a 404); prints the status
	(cd "$1" && STUB_BASELINE=${3:-} && export STUB_BASELINE &&
		bash -e "$tmp/$2" >job.out 2>&1) && echo 0 || echo $?
}
mkdir -p glmain/ci-logs glmr/ci-logs
cp main.jsonl glmain/ci-logs/
[ "$(gitlab glmain gl-base.sh)" = 0 ] || fail "gitlab: baseline job: $(cat glmain/job.out)"
[ -s glmain/llm-spend-baseline.json ] || fail "gitlab: no baseline written"
# A merge request before the default branch has a baseline passes.
cp pr.jsonl glmr/ci-logs/
st=$(gitlab glmr gl-check.sh)
[ "$st" = 0 ] || fail "gitlab: the first merge request, no baseline yet, exits $st: $(cat glmr/job.out)"
st=$(gitlab glmr gl-check.sh "$tmp/glmain/llm-spend-baseline.json")
[ "$st" = 3 ] || fail "gitlab: a regression exits $st: $(cat glmr/job.out)"
"$PYTHON" -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); sys.exit(0 if d.getElementsByTagName("failure") else 1)' \
	glmr/llm-spend.xml || fail "gitlab: llm-spend.xml holds no failure"
grep -q 'burnrate check: FAIL' glmr/llm-spend.md || fail "gitlab: llm-spend.md: $(cat glmr/llm-spend.md)"
cp main.jsonl glmr/ci-logs/pr.jsonl
st=$(gitlab glmr gl-check.sh "$tmp/glmain/llm-spend-baseline.json")
[ "$st" = 0 ] || fail "gitlab: equal spend exits $st: $(cat glmr/job.out)"

# ------------------------------------------------------ GitHub Actions
gh=$root/samples/ci/github-actions.yml
script "$gh" "Save the baseline" >gh-base.sh
script "$gh" check >gh-check.sh
script "$gh" "Fail on a regression" >gh-fail.sh
github() { # DIR SCRIPT: a run step (bash -e), prints its outputs' status
	: >"$1/out" >"$1/summary"
	(cd "$1" && GITHUB_OUTPUT=out GITHUB_STEP_SUMMARY=summary \
		bash -e "$tmp/$2" >job.out 2>&1) || echo "step failed: $?" >>"$1/job.out"
	sed -n 's/^status=//p' "$1/out"
}
mkdir -p ghmain/ci-logs ghpr/ci-logs
cp main.jsonl ghmain/ci-logs/
github ghmain gh-base.sh >/dev/null
[ -s ghmain/llm-spend-baseline.json ] || fail "github: no baseline written: $(cat ghmain/job.out)"
cp pr.jsonl ghpr/ci-logs/
st=$(github ghpr gh-check.sh)
[ "$st" = 0 ] || fail "github: no baseline yet gives status '$st': $(cat ghpr/job.out)"
cp ghmain/llm-spend-baseline.json ghpr/
st=$(github ghpr gh-check.sh)
[ "$st" = 3 ] || fail "github: a regression gives status '$st': $(cat ghpr/job.out)"
grep -q 'burnrate check: FAIL' ghpr/summary || fail "github: the job summary: $(cat ghpr/summary)"
grep -q '{{ *steps.check.outputs.status *}}' gh-fail.sh ||
	fail "github: the last step does not exit with the check's status: $(cat gh-fail.sh)"

# ------------------------------------------------------------- systemd
# Every directory the README's /etc/burnrate.conf writes (store,
# reports_dir, rejects) is one the unit makes writable.
unit=$root/samples/systemd/burnrate.service
writable=$(sed -n 's/^ReadWritePaths=//p; s/^StateDirectory=/\/var\/lib\//p;
	s/^LogsDirectory=/\/var\/log\//p' "$unit" | tr ' ' '\n')
awk '/^# \/etc\/burnrate.conf/ { f = 1 } f && /^```/ { exit }
	f && $1 ~ /^(store|reports_dir|rejects)$/ { print $1, $2 }' "$root/README.md" >paths
[ -s paths ] || fail "no configuration example found in the README"
while read -r key path; do
	ok=
	for w in $writable; do
		case $path/ in "$w"/*) ok=1 ;; esac
	done
	[ -n "$ok" ] || fail "burnrate.service: the README configuration's $key $path is not writable (ProtectSystem=strict; writable: $(echo $writable))"
done <paths

# ---------------------------------------------------------------- cron
# Every crontab line of the README and samples/crontab runs as cron runs
# it: in a home directory, without BURNRATE_STORE; /etc/burnrate.conf is
# a configuration here (the README's prom line named none, and read a
# ./burnrate-data that is not there).
mkdir -p home etc/logs textfile var
cp "$root/samples/logs/app-2025-10.jsonl" etc/logs/
cat >etc/burnrate.conf <<EOF2
store      $tmp/var/store
timezone   UTC
input      logs/*.jsonl
budgets    $root/samples/budgets.csv
reports_dir $tmp/var/reports
EOF2
grep -hE '^[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +burnrate ' \
	"$root/README.md" "$root/samples/crontab" | sort -r >cronlines
[ "$(wc -l <cronlines)" -ge 2 ] || fail "fewer crontab lines than expected: $(cat cronlines)"
while read -r m h dom mon dow cmd; do
	cmd=$(echo "$cmd" | sed "s#/etc/burnrate.conf#$tmp/etc/burnrate.conf#g;
		s#/var/lib/node_exporter/textfile#$tmp/textfile#g")
	(cd home && unset BURNRATE_STORE && eval "$cmd") >cron.out 2>&1 ||
		fail "the crontab line '$cmd' fails: $(cat cron.out)"
done <cronlines
[ -s textfile/burnrate.prom ] || fail "the prom crontab line wrote no burnrate.prom"
grep -q '^burnrate_budget_limit_usd{budget="all-llm"' textfile/burnrate.prom ||
	fail "the prom crontab line's metrics have no budgets"

# ---------------------------------------------------------------- demo
# make demo's script writes what the README's quick start says it does,
# and the README names everything it writes.
mkdir demo
ln -s "$BURNRATE" demo/burnrate
ln -s "$root/samples" demo/samples
(cd demo && sh "$root/tools/demo.sh") >demo.out 2>&1 || fail "demo.sh: $(cat demo.out)"
awk '/^## Quick start/ { f = 1; next } f && /^## / { exit } f' "$root/README.md" >quick
for f in $(cd demo/demo-out && ls); do
	grep -q "\`$f\`\|demo-out/$f\`" quick || fail "the README's quick start does not name demo-out/$f"
done
for f in $(grep -o '`[a-z]*\.[a-z]*`' quick | tr -d '`'); do
	[ -s "demo/demo-out/$f" ] || fail "the README's quick start names $f, which make demo does not write"
done

# ------------------------------------------------------------- sharding
# docs/SCALING.md's burnrate-shard, its zone set to the central store's:
# shards in that zone (an ingest alone made them in UTC, which a central
# store in another zone refuses), merged into it.
mkdir -p shard/logs shard/bin
cp "$root"/samples/logs/* shard/logs/
awk '/^# \/usr\/local\/bin\/burnrate-shard/ { f = 1 } f && /^```/ { exit } f' \
	"$root/docs/SCALING.md" | sed "s#/mnt/logs#$tmp/shard/logs#;
	s#/etc/burnrate/prices.csv#$root/samples/prices.csv#;
	s#^tz=UTC#tz=Europe/Berlin#" >shard/bin/burnrate-shard
grep -q '^tz=Europe/Berlin' shard/bin/burnrate-shard || fail "SCALING.md's burnrate-shard sets no time zone"
"$BURNRATE" --quiet --store shard/central init --timezone Europe/Berlin
for k in 0 1; do
	sh shard/bin/burnrate-shard $k 2 "$tmp/shard/s$k" 2>shard.err ||
		fail "burnrate-shard $k: $(cat shard.err)"
done
"$BURNRATE" --quiet --store shard/central merge shard/s0 shard/s1 2>shard.err ||
	fail "merging burnrate-shard's shards: $(cat shard.err)"

# --------------------------------------------------------------- prices
# samples/prices.csv replaces the catalog's Claude Sonnet 4.5 rows with a
# history whose first version is the list price: before the discount a
# request costs what the catalog charges, a long-context one (over 200K
# input tokens) too (the file had no long-context row before 2025-10-15,
# and billed such a request at the small-input rates).
for t in 2025-10-01T12:00:00Z 2025-10-20T12:00:00Z; do
	printf '{"timestamp":"%s","provider":"anthropic","model":"claude-sonnet-4-5","usage":{"input_tokens":%d,"output_tokens":1000}}\n' \
		"$t" 1000 "$t" 250000
done >long.jsonl
"$BURNRATE" --quiet --store pcat ingest long.jsonl
"$BURNRATE" --quiet --store pfile ingest --prices "$root/samples/prices.csv" long.jsonl
cost() { # STORE DAY
	"$BURNRATE" --store "$1" report --since "$2" --until "$2" --format csv |
		awk -F, 'NR > 1 { print $(NF - 1) }'
}
[ "$(cost pfile 2025-10-01)" = "$(cost pcat 2025-10-01)" ] ||
	fail "samples/prices.csv before its discount: $(cost pfile 2025-10-01), the catalog $(cost pcat 2025-10-01)"
[ "$(cost pfile 2025-10-20)" != "$(cost pcat 2025-10-20)" ] ||
	fail "samples/prices.csv gives no discount from 2025-10-15"
psum=$(sha256sum "$root/samples/prices.csv" | cut -d' ' -f1)
quoted_sums "$psum" samples/prices.csv 'prices samples/prices.csv' "$root/README.md"
echo "samples: ok"
