"""Fail when a committed .mo file does not match its .po (someone edited a .po and did not compile).

    python -m common.i18n_check            # .mo files match their .po
    python -m common.i18n_check --strict   # and nothing in the Indonesian catalogue is untranslated

CI runs `make messages` (re-extracting every string from the code) and then the strict check, so a
new English string without its Indonesian translation fails the build. Uses polib, no GNU gettext.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(strict: bool = False) -> int:
    problems = []
    if strict:
        for po_path in sorted((ROOT / "locale").glob("id/LC_MESSAGES/*.po")):
            po = polib.pofile(str(po_path))
            missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
            problems += [f"untranslated in {po_path.name}: {msgid!r}" for msgid in missing]
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
    sys.exit(main(strict="--strict" in sys.argv))
