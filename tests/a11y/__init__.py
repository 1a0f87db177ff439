"""axe-core for the browser tests: installed from npm (tests/a11y/package.json, pinned, `npm ci`) and
injected into the page from node_modules by Playwright. No CDN, so it runs offline and under the CSP
(the test contexts use `bypass_csp=True` only so that the injected script may run)."""

import fcntl
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")


def ensure_axe() -> Path | None:
    """The path of axe.min.js, running `npm ci` once on a fresh clone; None when npm is not there."""
    if AXE_JS.exists():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        return None
    # Parallel test workers: the first one installs, the others wait for it (one `npm ci`, not two at
    # once in the same node_modules).
    with open(HERE / ".npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE_JS.exists():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True, timeout=300
            )
    return AXE_JS


def violations(page, axe_js: Path) -> list[dict]:
    """Serious and critical axe violations on the page as it is now, one dict per rule."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    found = page.evaluate(
        # resultTypes: only violations are reported in full; for passed and inapplicable rules axe then
        # skips building a selector and HTML snippet for every node (the bulk of its time on a page).
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations",
        TAGS,
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "nodes": [f"{n['target']}: {n['failureSummary'][:200]}" for n in v["nodes"][:5]],
        }
        for v in found
        if v["impact"] in BLOCKING
    ]
