#!/usr/bin/env python3
"""Parser speed: 100,000-message exports per dialect, parsed by `wa-audit parse --format jsonl`.

    python benchmarks/bench_parse.py [--messages 100000] [--repeat 5] [--peers] [--keep DIR]

Generates the exports with ../shared/tools/gen_chat.py when it exists (else with the generator in
_common.py, so this runs anywhere), then prints per dialect:
  - whole process: `wa-audit parse FILE --format jsonl > /dev/null`, best of --repeat, messages/s, CPU
    seconds and peak RSS (ru_maxrss of that child);
  - start-up alone (`wa-audit --version`), to separate import cost from parsing;
  - in-process: `open_chat` + JSON lines (the CLI's path) and `chat.messages()` (the API).
With --peers it installs whatstk and chat-miner (PyPI) into a throwaway venv and whatsapp-chat-parser (npm)
into a throwaway folder, times them on the same files in the same run (whole process, parse only - they
write nothing) and prints wa-audit's speed-up over each.
The machine may be shared: best-of-N wall time is reported, with CPU time beside it, and wa-audit and
whatsapp-chat-parser are run in turns so that both meet the same load. Where PYTHONDONTWRITEBYTECODE is set
(every run then compiles wa-audit's modules from source), wa-audit is also timed with them compiled, as
an installed package runs ("with .pyc").
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import GEN, best, generate, timed, wa_audit_cmd  # shared with bench_scan.py

DIALECTS = ("android-gb", "ios-gb", "android-us")

WHATSTK = """import sys
from whatstk import df_from_whatsapp
print(len(df_from_whatsapp(sys.argv[1])))
"""
CHATMINER = """import sys, logging
logging.disable(logging.CRITICAL)
from chatminer.chatparsers import WhatsAppParser
p = WhatsAppParser(sys.argv[1])
p.parse_file()
print(len(p.parsed_messages.get_df()))
"""
NODE = """const fs = require('fs');
const w = require('whatsapp-chat-parser');
console.log(w.parseString(fs.readFileSync(process.argv[2], 'utf8')).length);
"""


# ---------------------------------------------------------------------------------------- timing

IN_PROCESS = """import os, sys, time
from whatsapp_audit.parse import open_chat
from whatsapp_audit.parse.jsonl import write_lines
path, repeat = sys.argv[1], int(sys.argv[2])
def json_path():
    with open_chat(path) as chat, open(os.devnull, "wb") as out:
        return write_lines(chat.json_batches(), out)
def api_path():
    with open_chat(path) as chat:
        return sum(1 for _ in chat.messages())
res = []
for fn in (json_path, api_path):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = fn()
        times.append(time.perf_counter() - t0)
    res.append(min(times))
print(n, res[0], res[1])
"""


def in_process(path: Path, repeat: int) -> tuple[int, float, float]:
    """(records, best s for the JSON-lines path, best s for `messages()`), measured in a child process so
    that this process stays small (a child's peak RSS would otherwise include the parent's)."""
    out = subprocess.run([sys.executable, "-c", IN_PROCESS, str(path), str(repeat)], capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


# ----------------------------------------------------------------------------------------- peers

def install_peers(work: Path) -> dict[str, list[str]]:
    """Throwaway installs; a peer that cannot be installed is reported and skipped."""
    peers: dict[str, list[str]] = {}
    venv = work / "venv"
    print("installing whatstk and chat-miner into a throwaway venv ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "whatstk", "chat-miner"], check=True,
                       capture_output=True)
        (work / "whatstk_run.py").write_text(WHATSTK)
        (work / "chatminer_run.py").write_text(CHATMINER)
        peers["whatstk"] = [str(venv / "bin" / "python"), str(work / "whatstk_run.py")]
        peers["chat-miner"] = [str(venv / "bin" / "python"), str(work / "chatminer_run.py")]
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"  skipped the Python peers: {e}", file=sys.stderr)
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        print("installing whatsapp-chat-parser (npm) into a throwaway folder ...", file=sys.stderr)
        try:
            npm_dir = work / "npm"
            npm_dir.mkdir()
            subprocess.run([npm, "install", "--silent", "--prefix", str(npm_dir), "whatsapp-chat-parser"],
                           check=True, capture_output=True)
            (npm_dir / "run.cjs").write_text(NODE)
            peers["whatsapp-chat-parser"] = [node, str(npm_dir / "run.cjs")]
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"  skipped whatsapp-chat-parser: {e}", file=sys.stderr)
    else:
        print("  skipped whatsapp-chat-parser: node/npm not found", file=sys.stderr)
    return peers


# ------------------------------------------------------------------------------------------ main

def in_turns(cmds: dict[str, tuple[list[str], dict[str, str] | None]], repeat: int
             ) -> dict[str, tuple[float, float, int] | str]:
    """Best (wall s, CPU s, peak RSS KiB) of each command, run in turns - a, b, c, a, b, c, ... - so that the
    load of a shared machine falls on all of them alike. A command that fails gives its error instead."""
    runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in cmds}
    failed: dict[str, str] = {}
    for _ in range(repeat):
        for k, (cmd, env) in cmds.items():
            if k not in failed:
                try:
                    runs[k].append(timed(cmd, env))
                except RuntimeError as e:
                    failed[k] = str(e)
    return {k: failed.get(k) or (min(r[0] for r in v), min(r[1] for r in v), max(r[2] for r in v))
            for k, v in runs.items()}


def bytecode_env(work: Path) -> dict[str, str] | None:
    """This environment may forbid writing .pyc files (PYTHONDONTWRITEBYTECODE), so that every run compiles
    wa-audit's modules from source, which an installed package never does: an environment that caches them
    (in a throwaway folder), to time wa-audit as installed too. None if bytecode is cached anyway."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return None
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (best is kept)")
    ap.add_argument("--peer-repeat", type=int, default=1, help="runs per slow Python peer (they take 10 s+)")
    ap.add_argument("--dialects", default=",".join(DIALECTS))
    ap.add_argument("--peers", action="store_true", help="also time whatstk, chat-miner, whatsapp-chat-parser")
    ap.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    a = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="wa-bench-"))
    data = a.keep or work
    data.mkdir(parents=True, exist_ok=True)
    try:
        peers = install_peers(work) if a.peers else {}
        wa = wa_audit_cmd()
        pyc = bytecode_env(work)
        start_wall, start_cpu, start_rss = best([*wa, "--version"], a.repeat)
        print(f"generator: {GEN if GEN.exists() else 'built-in'}; start-up (`wa-audit --version`): "
              f"{start_wall:.3f} s wall, {start_cpu:.3f} s CPU, {start_rss / 1024:.1f} MB")
        if pyc is not None:
            best([*wa, "--version"], 1, pyc)           # writes the .pyc files
            pyc_wall, pyc_cpu, _ = best([*wa, "--version"], a.repeat, pyc)
            print(f"PYTHONDONTWRITEBYTECODE is set: every run compiles wa-audit's modules; with them compiled, "
                  f"as installed, start-up is {pyc_wall:.3f} s wall, {pyc_cpu:.3f} s CPU (the `.pyc` rows)")
        print(f"{'dialect':<11} {'tool':<21} {'msgs/s':>9} {'wall s':>7} {'cpu s':>6} {'peak RSS':>9}")
        speedups: dict[str, list[tuple[float, float]]] = {}
        for dialect in [d.strip() for d in a.dialects.split(",") if d.strip()]:
            path = data / f"{dialect}.txt"
            if not path.exists():
                generate(dialect, a.messages, path)
            n, j, m = in_process(path, a.repeat)
            # wa-audit and the one fast peer in turns; the slow Python peers on their own afterwards.
            parse = [*wa, "parse", str(path), "--format", "jsonl"]
            cmds: dict[str, tuple[list[str], dict[str, str] | None]] = {"wa-audit parse": (parse, None)}
            if pyc is not None:
                best(parse, 1, pyc)
                cmds["  with .pyc"] = (parse, pyc)
            env = dict(os.environ, TQDM_DISABLE="1")
            fast = {k: v for k, v in peers.items() if k == "whatsapp-chat-parser"}
            cmds.update({k: ([*cmd, str(path)], env) for k, cmd in fast.items()})
            timed_ = in_turns(cmds, a.repeat)
            for name, cmd in peers.items():
                if name not in fast:
                    try:
                        timed_[name] = best([*cmd, str(path)], a.peer_repeat, env)
                    except RuntimeError as e:
                        timed_[name] = str(e)
            wall, cpu, rss = timed_.pop("wa-audit parse")     # type: ignore[misc]
            print(f"{dialect:<11} {'wa-audit parse':<21} {n / wall:>9,.0f} {wall:>7.3f} {cpu:>6.2f} "
                  f"{rss / 1024:>7.1f}MB")
            if "  with .pyc" in timed_:
                pw, pc, prss = timed_.pop("  with .pyc")    # type: ignore[misc]
                print(f"{'':<11} {'  with .pyc':<21} {n / pw:>9,.0f} {pw:>7.3f} {pc:>6.2f} {prss / 1024:>7.1f}MB")
            print(f"{'':<11} {'  minus start-up':<21} {n / max(wall - start_wall, 1e-9):>9,.0f} "
                  f"{wall - start_wall:>7.3f}")
            print(f"{'':<11} {'  in-process jsonl':<21} {n / j:>9,.0f} {j:>7.3f}")
            print(f"{'':<11} {'  in-process messages':<21} {n / m:>9,.0f} {m:>7.3f}")
            for name, result in timed_.items():
                if isinstance(result, str):
                    print(f"{'':<11} {name:<21} failed: {result}")
                    continue
                pw, pc, prss = result
                speedups.setdefault(name, []).append((pw / wall, pc / cpu))
                print(f"{'':<11} {name:<21} {n / pw:>9,.0f} {pw:>7.3f} {pc:>6.2f} {prss / 1024:>7.1f}MB"
                      f"   wa-audit/peer speed: {pw / wall:.2f}x wall, {pc / cpu:.2f}x CPU")
        if speedups:
            print("\nwhole-process `wa-audit parse` speed relative to each peer, per dialect (wall / CPU;"
                  " above 1 means wa-audit is faster):")
            for name, ratios in speedups.items():
                print(f"  {name:<21} " + "  ".join(f"{w:.2f}x/{c:.2f}x" for w, c in ratios))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
