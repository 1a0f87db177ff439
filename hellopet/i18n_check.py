"""Fail when a committed .mo file does not match its .po (someone edited a .po and did not compile).

Run: python -m hellopet.i18n_check   (CI does). Uses polib, so no GNU gettext is needed.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    problems = []
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        po = polib.pofile(str(po_path))
        if not mo_path.exists():
            problems.append(f"{mo_path} is missing")
            continue
        mo = polib.mofile(str(mo_path))
        want = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in po.translated_entries()}
        have = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in mo if e.msgid}
        if want != have:
            problems.append(
                f"{mo_path} is out of date with {po_path.name} ({len(want)} vs {len(have)} entries)"
            )
    for line in problems:
        print(line)
    print("translations: ok" if not problems else "translations: run `make messages`")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
