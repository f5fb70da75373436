"""Helpers the benchmark scripts share: synthetic exports, child-process timing, the output table.

Synthetic exports only (no real chat is ever needed): `../shared/tools/gen_chat.py` when it exists and knows
the dialect, else `own_generator` below. Both are sequential in one seeded RNG, so the export of N + k
messages starts with exactly the export of N messages - next week's re-export of a growing chat.

    python benchmarks/_common.py --out DIR [--sizes 10k,100k,1M] [--dialects all]     # write exports
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "tools" / "gen_chat.py"
GEN_DIALECTS = ("android-gb", "ios-gb", "android-us")
ALL_DIALECTS = ("android-gb", "android-us", "ios-gb", "ios-us", "android-de")


# ------------------------------------------------------------------------------------------ generating

NAMES = ["Jane Smith", "Tom Baker", "Priya Patel", "+44 7700 900123", "Chloe Wright", "Mohammed Khan",
         "Sarah O'Neill", "Kwame Mensah", "Zofia Nowak", "+44 7700 900456"]
# Mostly school business, with the kinds of thing the policy is about mixed in at a plausible rate.
SCHOOL = ["Morning all", "Does anyone know if it's PE tomorrow?", "Reminder: trip money due Friday",
          "Thanks so much", "Has anyone seen a blue jumper with no name in it", "Is the cake sale still on",
          "Yes it's non-uniform day", "The letter said 10:30 at the main gate", "No idea sorry", "Same here",
          "Can we please keep this chat for school things only", "Reading books go back on Monday",
          "Has the permission slip for the museum come home?", "Swimming has moved to Thursdays",
          "Who is doing the rota for the summer fair", "Ok will do", "Thank you for organising",
          "Just seen the email", "Lost: one water bottle, purple lid", "See you at pick-up"]
POLICY = ["Sophie says the homework is on the portal", "Happy birthday Aarav!", "😂😂😂", "lol classic",
          "Honestly this school is a shambles, nobody in the office ever answers",
          "Anyone watching the match tonight?", "Vote Labour on Thursday, this government has ruined schools",
          "My son has been in hospital with asthma again",
          "Ring me on 07700 900789 if you find it", "Mr Okafor is useless, complete waste of space",
          "Why did I get a detention letter for my child?? Totally unfair", "Selling my old sofa, £50, DM me",
          "Running late, can someone grab Jack from the gate", "Did you hear about Tom's divorce?"]
CONTINUATION = ["1) PE kit", "2) Water bottle", "3) Packed lunch", "Cost is £4.50 each", "Let me know by Wed",
                "Thanks x"]


def _header(dialect: str, t: dt.datetime) -> str:
    h12 = t.hour % 12 or 12
    ampm = "AM" if t.hour < 12 else "PM"
    return {
        "android-gb": lambda: t.strftime("%d/%m/%Y, %H:%M - "),
        "android-us": lambda: f"{t.month}/{t.day}/{t:%y}, {h12}:{t.minute:02d}\u202f{ampm} - ",
        "android-de": lambda: t.strftime("%d.%m.%y, %H:%M - "),
        "ios-gb": lambda: t.strftime("[%d/%m/%Y, %H:%M:%S] "),
        "ios-us": lambda: f"[{t.month}/{t.day}/{t:%y}, {h12}:{t.minute:02d}:{t.second:02d}\u202f{ampm}] ",
    }[dialect]()


def own_generator(dialect: str, n: int, seed: int = 1) -> str:
    """An export of n messages in one of ALL_DIALECTS: texts (a tenth about what the policy covers), multi-line
    messages, media, deletions and members being added."""
    rng = random.Random(seed)
    ios, de = dialect.startswith("ios"), dialect.endswith("-de")
    lrm = "\u200e"
    group = "Year 4 Oak Class Parents"
    media = ("\u200eimage omitted" if ios else "<Medien ausgeschlossen>" if de else "<Media omitted>")
    deleted = ("\u200eThis message was deleted." if ios else "Diese Nachricht wurde gelöscht." if de
               else "This message was deleted")
    added = "hat {} hinzugefügt" if de else "added {}"

    def system(t: dt.datetime, text: str) -> str:
        return _header(dialect, t) + (f"{group}: {lrm}" if ios else "") + text

    t = dt.datetime(2023, 9, 4, 7, 58, 12)
    lines = [system(t, "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt." if de else
                    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
                    "WhatsApp, can read or listen to them.")]
    for _ in range(n):
        t += dt.timedelta(seconds=rng.randint(20, 900))
        who = rng.choice(NAMES)
        shown = f"\u202a{who}\u202c" if ios and who.startswith("+") else who
        r = rng.random()
        if r < 0.01:
            lines.append(system(t, "Jane Smith " + added.format(shown)))
        elif r < 0.06:
            lines.append(_header(dialect, t) + f"{shown}: {media}")
        elif r < 0.075:
            lines.append(_header(dialect, t) + f"{shown}: {deleted}")
        elif r < 0.175:
            lines.append(_header(dialect, t) + f"{shown}: {rng.choice(POLICY)}")
        else:
            text = rng.choice(SCHOOL)
            if rng.random() < 0.08:
                text += "\n" + "\n".join(rng.sample(CONTINUATION, rng.randint(1, 3)))
            lines.append(_header(dialect, t) + f"{shown}: {text}")
    return "\n".join(lines) + "\n"


def generate(dialect: str, n: int, out: Path, seed: int = 1) -> str:
    """Write an export of n messages to `out`; returns which generator made it."""
    if GEN.exists() and dialect in GEN_DIALECTS:
        with out.open("wb") as f:
            subprocess.run([sys.executable, str(GEN), "--dialect", dialect, "--messages", str(n), "--seed",
                            str(seed)], stdout=f, stderr=subprocess.DEVNULL, check=True)
        return "gen_chat.py"
    out.write_text(own_generator(dialect, n, seed), encoding="utf-8")
    return "built-in"


def size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '2500' -> 2500."""
    t = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if mult > 1 else t) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


# ---------------------------------------------------------------------------------------------- timing

def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KiB) of one child process; its output goes to /dev/null."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):         # 1: findings at or above --fail-on, a normal outcome for scan
        raise RuntimeError(f"{cmd[0]} failed with exit {p.returncode}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def best(cmd: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    runs = [timed(cmd, env) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def wa_audit_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("wa-audit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "whatsapp_audit"]


# ---------------------------------------------------------------------------------------------- output

HEADER = f"{'dialect':<11} {'tool':<26} {'msgs/s':>9} {'wall s':>8} {'cpu s':>7} {'peak RSS':>9}"


def row(dialect: str, tool: str, n: int, wall: float, cpu: float | None = None, rss_kib: int | None = None,
        extra: str = "") -> str:
    cpu_s = f"{cpu:>7.2f}" if cpu is not None else f"{'':>7}"
    rss_s = f"{rss_kib / 1024:>7.1f}MB" if rss_kib is not None else f"{'':>9}"
    return f"{dialect:<11} {tool:<26} {n / max(wall, 1e-9):>9,.0f} {wall:>8.3f} {cpu_s} {rss_s}" + \
        (f"   {extra}" if extra else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write synthetic exports for benchmarks.")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sizes", default="10k,100k,1M")
    ap.add_argument("--dialects", default="all", help="comma-separated, or all: " + ", ".join(ALL_DIALECTS))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    dialects = ALL_DIALECTS if a.dialects == "all" else [d.strip() for d in a.dialects.split(",") if d.strip()]
    for d in dialects:
        for s in a.sizes.split(","):
            n = size(s)
            path = a.out / f"{d}-{label(n)}.txt"
            how = generate(d, n, path, a.seed)
            print(f"{path}  {n:,} messages  ({how})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
