"""Bandit over the project's code, against a checked-in baseline of accepted findings.

    python .ci/bandit.py            # fails on a new finding, or an accepted one with no reason
    python .ci/bandit.py --update   # rewrite the baseline from today's findings, keeping reasons

Each accepted finding in .ci/bandit-baseline.json carries "accepted_because": why it is not a
weakness. A new finding fails CI until it is fixed, or accepted here with its reason (bandit
matches baseline entries by file, test and text, so moving a line does not unaccept it).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "bandit-baseline.json"
CODE = ["access", "agencies", "config", "notifications", "panels", "referrals"]
BANDIT = [sys.executable, "-m", "bandit", "-q", "-r", *CODE, "-x", "*/migrations/*"]


def key(result: dict) -> tuple:
    return (result["filename"], result["test_id"], result["issue_text"])


def update() -> int:
    run = subprocess.run([*BANDIT, "-f", "json"], cwd=ROOT, capture_output=True, text=True)
    report = json.loads(run.stdout)
    old = json.loads(BASELINE.read_text()) if BASELINE.exists() else {"results": []}
    reasons = {key(r): r.get("accepted_because", "") for r in old["results"]}
    results = []
    for result in report["results"]:
        result.pop("more_info", None)
        result["accepted_because"] = reasons.get(key(result), "")
        results.append(result)
    results.sort(key=lambda r: (r["filename"], r["line_number"]))
    BASELINE.write_text(json.dumps({"results": results}, indent=2, ensure_ascii=False) + "\n")
    missing = [r for r in results if not r["accepted_because"]]
    for r in missing:
        print(
            f"needs a reason: {r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        )
    return 1 if missing else 0


def check() -> int:
    baseline = json.loads(BASELINE.read_text())["results"]
    unreasoned = [r for r in baseline if not r.get("accepted_because", "").strip()]
    for r in unreasoned:
        print(f"accepted without a reason: {r['filename']}:{r['line_number']} {r['test_id']}")
    run = subprocess.run([*BANDIT, "-b", str(BASELINE), "-f", "txt"], cwd=ROOT)
    if run.returncode == 0 and not unreasoned:
        print(f"bandit: no findings beyond the {len(baseline)} accepted in {BASELINE.name}")
    return 1 if (run.returncode or unreasoned) else 0


if __name__ == "__main__":
    sys.exit(update() if "--update" in sys.argv else check())
