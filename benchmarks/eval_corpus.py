"""Measure the rule pack against labelled chat scripts: per-category precision, recall and F1.

    python benchmarks/eval_corpus.py                       # ../shared/corpus/labelled/*.yaml, android-gb + ios-gb
    python benchmarks/eval_corpus.py --all-dialects --show grievance
    python benchmarks/eval_corpus.py --from-gold --no-ner --only humour,off-topic
    python benchmarks/eval_corpus.py SCRIPT.yaml [SCRIPT.yaml ...] --rules my-pack/

Each script is rendered with the shared corpus tool (`render_chat.py SCRIPT OUTDIR --dialects ...`) into
`_chat.txt`, `group.yaml` and `gold.jsonl`; each export is scanned through the real pipeline
(`whatsapp_audit.audit.audit` with the pack and the group file) and the findings are compared with the gold
as (message index, category) pairs. Findings not tied to a message (roster findings) are compared as
(member, category) pairs with `gold_group.json` when the script has one.

`--from-gold` builds the messages straight from gold.jsonl instead of parsing `_chat.txt` (equivalent by
the output contract: gold.jsonl is exactly what `wa-audit parse --format jsonl` must print). It is used
automatically while `whatsapp_audit.parse` cannot be imported.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import Finding, Message
from whatsapp_audit.roster.load import load_group
from whatsapp_audit.rules.engine import Engine
from whatsapp_audit.rules.interface import Context
from whatsapp_audit.rules.pack import load_pack

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_CORPUS = SHARED / "corpus" / "labelled"
RENDER = SHARED / "tools" / "render_chat.py"
DEFAULT_DIALECTS = "android-gb,ios-gb"
ALL_DIALECTS = "android-gb,android-us,ios-gb,ios-us,android-de"
# The categories judged from the text of messages (the rest come from the roster or from media).
TEXT_CATEGORIES = ("political", "humour", "off-topic", "grievance", "policy-challenge", "family-matters",
                   "abusive", "discriminatory", "threatening", "non-school-activity")

Key = tuple[str, str, object]   # (export id, category, message index | member)


@dataclass
class Tally:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    fps: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    fns: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    clean: int = 0                      # messages with no gold label in the scored categories
    clean_flagged: list[str] = field(default_factory=list)


def parser_available() -> bool:
    try:
        from whatsapp_audit.parse import open_chat  # noqa: F401
    except ImportError:
        return False
    return True


def render(script: Path, out: Path, dialects: str) -> list[Path]:
    """Render one script; the export folders it wrote."""
    cmd = [sys.executable, str(RENDER), str(script), str(out), "--dialects", dialects]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return sorted(p for p in out.iterdir() if (p / "gold.jsonl").exists())


def gold_messages(path: Path) -> tuple[list[Message], dict[int, set[str]]]:
    messages, labels = [], {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            labels[d["index"]] = set(d.pop("labels", []))
            messages.append(Message(**{k: d[k] for k in d if k in Message.__slots__}))
    return messages, labels


def scan_export(folder: Path, pack, use_ner: bool, from_gold: bool, only: list[str]) -> tuple[list[Finding], dict]:
    group = load_group(str(folder / "group.yaml"))
    messages, labels = gold_messages(folder / "gold.jsonl")
    if from_gold:
        engine = Engine(pack, Context(group=group, use_ner=use_ner), only=only)
        findings = list(engine.scan(messages))
    else:
        from whatsapp_audit.audit import ScanOptions, audit

        result = audit(str(folder / "_chat.txt"), pack, group, ScanOptions(only=only, use_ner=use_ner))
        findings = result.findings
    return findings, {"labels": labels, "messages": {m.index: m for m in messages}}


def score(folder_id: str, findings: list[Finding], gold: dict, gold_group: list[dict], cats: set[str],
          tally: Tally) -> None:
    texts = {i: m.text for i, m in gold["messages"].items()}
    pred: set[Key] = set()
    for f in findings:
        if f.category not in cats:
            continue
        if f.message is not None:
            pred.add((folder_id, f.category, f.message.index))
        else:
            pred.add((folder_id, f.category, f"member:{f.subject}"))
    truth: set[Key] = {(folder_id, c, i) for i, cs in gold["labels"].items() for c in cs if c in cats}
    truth |= {(folder_id, g["category"], f"member:{g['member']}") for g in gold_group if g["category"] in cats}
    flagged = {k[2] for k in pred}
    labelled = {k[2] for k in truth}
    for i, m in gold["messages"].items():
        if m.kind in ("text", "media", "poll") and i not in labelled:
            tally.clean += 1
            if i in flagged:
                tally.clean_flagged.append(f"[{folder_id} #{i}] {m.text}")
    for key in pred | truth:
        _, cat, where = key
        text = texts.get(where, where) if isinstance(where, int) else where
        label = f"[{folder_id} #{where}] {text}"
        if key in pred and key in truth:
            tally.tp[cat] += 1
        elif key in pred:
            tally.fp[cat] += 1
            tally.fps[cat].append((label, ""))
        else:
            tally.fn[cat] += 1
            tally.fns[cat].append((label, ""))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def table(tally: Tally, cats: list[str], title: str) -> list[str]:
    lines = [f"{title:<22} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'tp':>5} {'fp':>5} {'fn':>5}"]
    f1s = []
    for c in cats:
        tp, fp, fn = tally.tp[c], tally.fp[c], tally.fn[c]
        if not (tp or fp or fn):
            continue
        p, r, f = prf(tp, fp, fn)
        f1s.append(f)
        lines.append(f"{c:<22} {p:6.3f} {r:6.3f} {f:6.3f} {tp + fn:8d} {tp:5d} {fp:5d} {fn:5d}")
    tp = sum(tally.tp[c] for c in cats)
    fp = sum(tally.fp[c] for c in cats)
    fn = sum(tally.fn[c] for c in cats)
    p, r, f = prf(tp, fp, fn)
    lines.append(f"{'micro':<22} {p:6.3f} {r:6.3f} {f:6.3f} {tp + fn:8d} {tp:5d} {fp:5d} {fn:5d}")
    macro = sum(f1s) / len(f1s) if f1s else 0.0
    lines.append(f"{'macro F1':<22} {'':>6} {'':>6} {macro:6.3f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scripts", nargs="*", help=f"labelled chat scripts (default: {DEFAULT_CORPUS}/*.yaml)")
    ap.add_argument("--dialects", default=DEFAULT_DIALECTS, help=f"comma list (default {DEFAULT_DIALECTS})")
    ap.add_argument("--all-dialects", action="store_true", help=f"render every dialect: {ALL_DIALECTS}")
    ap.add_argument("--only", default="", help="comma list of categories to score (default: all)")
    ap.add_argument("--show", default="", help="comma list of categories whose FPs/FNs to print ('all' for all)")
    ap.add_argument("--show-clean", action="store_true", help="print the clean messages that were flagged")
    ap.add_argument("--no-ner", action="store_true", help="run without spaCy NER")
    ap.add_argument("--from-gold", action="store_true", help="build messages from gold.jsonl, not the parser")
    ap.add_argument("--rules", action="append", default=[], help="rule pack file/folder (default: shipped pack)")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    a = ap.parse_args(argv)

    scripts = [Path(s) for s in a.scripts] or sorted(DEFAULT_CORPUS.glob("*.yaml"))
    if not scripts:
        print(f"no labelled scripts found (looked in {DEFAULT_CORPUS})", file=sys.stderr)
        return 2
    if not RENDER.exists():
        print(f"renderer not found: {RENDER}", file=sys.stderr)
        return 2
    from_gold = a.from_gold
    if not from_gold and not parser_available():
        print("note: whatsapp_audit.parse is not available yet; building messages from gold.jsonl (--from-gold)",
              file=sys.stderr)
        from_gold = True
    only = [c.strip() for c in a.only.split(",") if c.strip()]
    unknown = [c for c in only if c not in CATEGORIES]
    if unknown:
        print(f"unknown categories: {', '.join(unknown)}", file=sys.stderr)
        return 2
    cats = set(only or CATEGORIES)
    pack = load_pack(a.rules or None)
    dialects = ALL_DIALECTS if a.all_dialects else a.dialects

    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="wa-eval-") as tmp:
        for script in scripts:
            for folder in render(script, Path(tmp) / script.stem, dialects):
                fid = f"{script.stem}/{folder.name}"
                findings, gold = scan_export(folder, pack, not a.no_ner, from_gold, only)
                gg = folder / "gold_group.json"
                gold_group = json.loads(gg.read_text(encoding="utf-8")) if gg.exists() else []
                if isinstance(gold_group, dict):
                    gold_group = gold_group.get("roster_findings", [])
                score(fid, findings, gold, gold_group, cats, tally)

    ordered = [c for c in CATEGORIES if c in cats]
    if a.json:
        out = {c: dict(zip(("precision", "recall", "f1"), prf(tally.tp[c], tally.fp[c], tally.fn[c]), strict=True))
               | {"tp": tally.tp[c], "fp": tally.fp[c], "fn": tally.fn[c]} for c in ordered}
        print(json.dumps(out, indent=2))
    else:
        print(f"scripts: {', '.join(s.name for s in scripts)}; dialects: {dialects}; "
              f"messages from {'gold.jsonl' if from_gold else 'the parser'}; ner: {'off' if a.no_ner else 'on'}")
        print("\n".join(table(tally, ordered, "category")))
        n = len(tally.clean_flagged)
        print(f"\nclean messages flagged: {n} of {tally.clean} ({100 * n / max(tally.clean, 1):.1f}%)")
        text = [c for c in TEXT_CATEGORIES if c in cats]
        if len(text) > 1 and len(text) < len(ordered):
            print()
            print("\n".join(table(tally, text, "text categories")))
    if a.show_clean:
        print("\nclean messages flagged:")
        for t in tally.clean_flagged:
            print("  " + t.replace("\n", " / ")[:300])
    show = set(CATEGORIES) if a.show == "all" else {c.strip() for c in a.show.split(",") if c.strip()}
    for c in [c for c in CATEGORIES if c in show]:
        for what, rows in (("false positives", tally.fps[c]), ("false negatives", tally.fns[c])):
            if rows:
                print(f"\n{c}: {what} ({len(rows)})")
                for label, _ in sorted(set(rows)):
                    print("  " + label.replace("\n", " / ")[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
