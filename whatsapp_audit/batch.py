"""Many chats at once: `wa-audit scan|report CHAT_OR_FOLDER...` for a school (one group per class) or a trust.

- Which chats: every argument that is a file, and every `*.txt` / `*.zip` directly inside an argument that is
  a folder (sorted by name; not recursive). Standard input (`-`) only on its own.
- Which group file: `--group FILE` applies to every chat; `--group FOLDER` gives each chat
  `FOLDER/<chat file name without extension>.yaml` (or `.yml`), else `FOLDER/group.yaml`, else none (a
  note says so). A folder of exports with a `.yaml` beside each one can be both: `--group` that folder.
- How: in parallel processes (`ProcessPoolExecutor`, workers = min(CPUs, chats), `--jobs` to change it),
  each with the rule pack loaded once; each chat uses the re-scan cache like a single scan.
- Output: one summary per chat plus a combined one. JSON: `{"chats": [<the single-chat object>...],
  "summary": {...}}`. One chat given as a file keeps the single-chat output exactly; a folder always gives
  the several-chats shape, even when it holds one export.
- A chat that cannot be read is reported and the others still run; the exit code is then 2.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Severity

if TYPE_CHECKING:
    from whatsapp_audit.audit import ScanOptions
    from whatsapp_audit.report.view import Report, ReportOptions
    from whatsapp_audit.results import ScanResult
    from whatsapp_audit.roster.group import Group
    from whatsapp_audit.rules.pack import RulePack

EXPORTS = (".txt", ".zip")


# ------------------------------------------------------------------------------------------ inputs


def expand(args: list[str]) -> tuple[list[str], bool]:
    """The chats the arguments name, and whether to treat them as several (more than one argument, or a
    folder)."""
    out: list[str] = []
    several = len(args) > 1
    for a in args:
        if a != "-" and os.path.isdir(a):
            several = True
            found = sorted((p for p in Path(a).iterdir() if p.is_file() and p.suffix.lower() in EXPORTS),
                           key=lambda p: p.name.lower())
            if not found:
                raise UserError("folder has no chat exports (*.txt, *.zip)", path=a)
            out.extend(str(p) for p in found)
        else:
            out.append(a)
    if "-" in out and len(out) > 1:
        raise UserError("- (standard input) can only be scanned on its own")
    seen: set[str] = set()
    unique = []
    for p in out:
        key = os.path.realpath(p) if p != "-" else p
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique, several


def group_for(chat: str, group: str | None) -> str | None:
    """The group file for one chat (see the module doc)."""
    if group is None or not os.path.isdir(group):
        return group
    stem = Path(chat).stem if chat != "-" else ""
    for name in (f"{stem}.yaml", f"{stem}.yml", "group.yaml", "group.yml"):
        if stem or name.startswith("group"):
            p = os.path.join(group, name)
            if os.path.isfile(p):
                return p
    return None


def single_group(chat: str, group: str | None) -> str | None:
    """group_for() for a single chat, where a folder without a file for it is an error."""
    found = group_for(chat, group)
    if found is None and group is not None:
        raise UserError(f"no {Path(chat).stem}.yaml or group.yaml in this folder", path=group,
                        hint="give --group the chat's group file")
    return found


# ------------------------------------------------------------------------------------------- running


@dataclass(slots=True)
class Outcome:
    path: str
    result: ScanResult | None = None
    error: str | None = None
    group: Group | None = None
    group_path: str | None = None
    suppressed: int = 0


_PACK: RulePack | None = None


def _init(rules: list[str] | None) -> None:
    global _PACK
    if _PACK is None:            # inherited from the parent when the workers are forked
        from whatsapp_audit.rules.pack import load_pack

        _PACK = load_pack(rules or None)


def _scan(path: str, group: Group | None, opts: ScanOptions) -> tuple[ScanResult | None, str | None]:
    from whatsapp_audit.audit import audit

    assert _PACK is not None
    try:
        return audit(path, _PACK, group, opts), None
    except UserError as e:
        return None, str(e)


@contextmanager
def _using(pack: RulePack) -> Iterator[None]:
    """_scan() (and forked workers, which inherit it) use `pack` for the duration."""
    global _PACK
    _PACK = pack
    try:
        yield
    finally:
        _PACK = None


@contextmanager
def pool(n: int, pack: RulePack, rules: list[str] | None) -> Iterator[ProcessPoolExecutor]:
    """`n` worker processes with the rule pack loaded (inherited when forked). If the caller stops early -
    Ctrl-C, `kill`, an error - the workers are killed at once rather than left to finish their chats:
    waiting would make an interrupted scan run to the end, and nothing they hold is needed any more."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")
    with _using(pack):
        ex = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_init, initargs=(rules,))
        try:
            yield ex
        except BaseException:
            # ProcessPoolExecutor has no public way to stop running work before Python 3.14; its workers are
            # this process's only multiprocessing children, including one forked a moment before the stop.
            stopping = multiprocessing.active_children()
            for proc in stopping:
                proc.kill()
            for proc in stopping:
                proc.join()
            with suppress(Exception):    # stopped mid start-up, the pool can be half built
                ex.shutdown(wait=True, cancel_futures=True)
            raise
        ex.shutdown(wait=True)


def workers(n: int, jobs: int = 0) -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs or cpus, n))


def run(paths: list[str], pack: RulePack, rules: list[str] | None, group: str | None, opts: ScanOptions,
        jobs: int = 0, done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Scan every chat (in input order in the result). Group files are read first, here, so a bad one stops
    everything with its file:line before any scanning."""
    from whatsapp_audit.roster.load import load_group

    outcomes = []
    for p in paths:
        gp = group_for(p, group)
        outcomes.append(Outcome(p, group=load_group(gp) if gp else None, group_path=gp))
    n = workers(len(paths), jobs)
    if n == 1:
        with _using(pack):
            for o in outcomes:
                o.result, o.error = _scan(o.path, o.group, opts)
                if done:
                    done(o)
        return outcomes
    with pool(n, pack, rules) as ex:
        futures = [ex.submit(_scan, o.path, o.group, opts) for o in outcomes]
        for o, fut in zip(outcomes, futures, strict=True):
            o.result, o.error = fut.result()
            if done:
                done(o)
    return outcomes


# ------------------------------------------------------------------------------------------- combined


def title(o: Outcome) -> str:
    r = o.result
    return (r.group_name or r.chat.name) if r is not None else os.path.basename(o.path)


def combined(outcomes: list[Outcome]) -> dict[str, Any]:
    """The several-chats `summary`: totals over every chat that could be read."""
    results = [o.result for o in outcomes if o.result is not None]
    cats: Counter[str] = Counter()
    sevs: Counter[str] = Counter()
    members: dict[str, Counter[str]] = {}
    for r in results:
        for f in r.findings:
            cats[f.category] += 1
            sevs[str(f.severity)] += 1
        for who, counts in r.summary_dict().items():
            members.setdefault(who, Counter()).update(counts)
    worst = max((f.severity for r in results for f in r.findings), default=None)
    out: dict[str, Any] = {
        "chats": len(outcomes),
        "failed": sum(o.result is None for o in outcomes),
        "messages": sum(r.chat.messages for r in results),
        "findings": sum(len(r.findings) for r in results),
        "worst": str(worst) if worst is not None else None,
        "categories": {c: cats[c] for c in CATEGORIES if cats[c]},
        "severities": {s.name: sevs[s.name] for s in sorted(Severity, reverse=True) if sevs[s.name]},
        "by_chat": [{"path": o.path, "group": title(o), "messages": o.result.chat.messages if o.result else None,
                     "findings": len(o.result.findings) if o.result else None,
                     "worst": str(o.result.worst()) if o.result and o.result.worst() else None,
                     **({"error": o.error} if o.error else {})} for o in outcomes],
        "members": {who: {c: n[c] for c in CATEGORIES if n[c]}
                    for who, n in sorted(members.items(), key=lambda kv: (-sum(kv[1].values()), kv[0].lower()))},
    }
    if any(o.suppressed for o in outcomes):
        out["suppressed"] = sum(o.suppressed for o in outcomes)
    return out


def exit_code(outcomes: list[Outcome], fail_on: str) -> int:
    if any(o.result is None for o in outcomes):
        return 2
    if fail_on == "never":
        return 0
    worst = max((f.severity for o in outcomes if o.result for f in o.result.findings), default=None)
    return 1 if worst is not None and worst >= Severity[fail_on] else 0


# --------------------------------------------------------------------------------------------- scan


def render_json(outcomes: list[Outcome]) -> str:
    import json

    doc: dict[str, Any] = {"chats": [o.result.to_dict() for o in outcomes if o.result is not None],
                           "summary": combined(outcomes)}
    errors = [{"path": o.path, "error": o.error} for o in outcomes if o.result is None]
    if errors:
        doc["errors"] = errors
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render_text(outcomes: list[Outcome], console: Any = None) -> None:
    """Each chat's header and per-member table, then one table over all chats."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from whatsapp_audit.report.formats import text

    console = console or Console()
    for o in outcomes:
        console.rule(Text(o.path, style="bold"), align="left")
        if o.result is None:
            console.print(Text(f"could not be scanned: {o.error}", style="bold red"))
        else:
            text.render_to(console, o.result, findings=False)
            if o.suppressed:
                console.print(f"({o.suppressed} reviewed findings not shown)", style="dim")
        console.print()
    s = combined(outcomes)
    t = Table(title=f"All chats ({s['chats']})", title_justify="left")
    t.add_column("Group")
    t.add_column("Messages", justify="right", no_wrap=True)
    t.add_column("Findings", justify="right", no_wrap=True)
    t.add_column("Worst", no_wrap=True)
    t.add_column("Findings by category")
    for o in outcomes:
        r = o.result
        if r is None:
            t.add_row(title(o), "", "", Text("error", style="bold red"), "")
            continue
        per = Counter(f.category for f in r.findings)
        w = r.worst()
        t.add_row(title(o), f"{r.chat.messages:,}", str(len(r.findings)),
                  Text(w.name if w else "", style=text.STYLE.get(w, "") if w else ""),
                  "  ".join(f"{c} {per[c]}" for c in CATEGORIES if per[c]), end_section=o is outcomes[-1])
    t.add_row(Text("All", style="bold"), f"{s['messages']:,}", str(s["findings"]), s["worst"] or "",
              "  ".join(f"{c} {n}" for c, n in s["categories"].items()))
    console.print(t)
    tail = f"{s['chats']} chats, {s['messages']:,} messages, {s['findings']} findings; worst severity: " \
           f"{s['worst'] or 'none'}."
    if s["failed"]:
        tail += f" {s['failed']} could not be scanned."
    if s.get("suppressed"):
        tail += f" {s['suppressed']} reviewed findings not shown."
    console.print(tail)


# ------------------------------------------------------------------------------------------- report


def build_reports(outcomes: list[Outcome], opts: ReportOptions) -> list[tuple[Outcome, Report]]:
    """Each chat's report view. With --member, chats that person is not in are left out (an error only when
    no chat has them)."""
    from whatsapp_audit.report.view import build

    out = []
    for o in outcomes:
        if o.result is None:
            continue
        try:
            out.append((o, build(o.result, o.group, opts)))
        except UserError:
            if not opts.member:
                raise
            _note(f"{o.path}: {opts.member} is not in this chat; left out of the report")
    if opts.member and not out:
        raise UserError(f"--member: nobody called {opts.member!r} posted in any of these chats or is on their "
                        "rosters")
    return out


def render_reports(reports: list[tuple[Outcome, Report]], outcomes: list[Outcome], fmt: str) -> str:
    """Several chats' reports as one file of the given format."""
    from whatsapp_audit.report.formats import ReportFormat, render_report

    f = ReportFormat(fmt)
    s = combined(outcomes)
    if f is ReportFormat.json:
        import json

        from whatsapp_audit.report.formats.json_format import report_dict

        doc: dict[str, Any] = {"chats": [report_dict(r) for _, r in reports], "summary": s}
        errors = [{"path": o.path, "error": o.error} for o in outcomes if o.result is None]
        if errors:
            doc["errors"] = errors
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    parts = [(o, render_report(r, f)) for o, r in reports]
    if f is ReportFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        for i, (o, text) in enumerate(parts):
            rows = list(csv.reader(io.StringIO(text, newline="")))
            for j, row in enumerate(rows):
                if j == 0:
                    if i == 0:
                        w.writerow(["chat", *row])
                    continue
                w.writerow([title(o), *row])
        if not parts:
            w.writerow(["chat"])
        return buf.getvalue()
    if f is ReportFormat.md:
        from whatsapp_audit.report.formats.markdown import cell

        out = [f"# Breach reports: {s['chats']} groups", "",
               f"{s['messages']:,} messages, {s['findings']} findings; worst severity: {s['worst'] or 'none'}.", "",
               "| Group | Messages | Findings | Worst |", "|---|---:|---:|---|"]
        for o in outcomes:
            r = o.result
            out.append(f"| {cell(title(o))} | {r.chat.messages:,} | {len(r.findings)} | "
                       f"{r.worst().name if r.worst() else '–'} |" if r is not None
                       else f"| {cell(title(o))} | | | could not be scanned: {cell(o.error or '')} |")
        out.append("")
        return "\n".join(out) + "\n\n---\n\n" + "\n\n---\n\n".join(text for _, text in parts)
    return _html(parts, outcomes, s)


def _html(parts: list[tuple[Outcome, str]], outcomes: list[Outcome], s: dict[str, Any]) -> str:
    from html import escape

    head = parts[0][1].split("<body>", 1)[0] if parts else "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>" \
        "<meta charset=\"utf-8\"></head>\n"
    head = re.sub(r"<title>.*?</title>", f"<title>Breach reports: {s['chats']} groups</title>", head, count=1,
                  flags=re.S)
    rows = []
    for i, o in enumerate(outcomes):
        r = o.result
        name = escape(title(o))
        if r is None:
            rows.append(f"<tr><td>{name}</td><td></td><td></td><td>could not be scanned: {escape(o.error or '')}"
                        "</td></tr>")
        else:
            w = r.worst()
            rows.append(f'<tr><td><a href="#chat{i + 1}">{name}</a></td><td>{r.chat.messages:,}</td>'
                        f"<td>{len(r.findings)}</td><td>{escape(w.name) if w else '–'}</td></tr>")
    body = [f"<body><header><h1>Breach reports: {s['chats']} groups</h1><p>{s['messages']:,} messages, "
            f"{s['findings']} findings; worst severity: {escape(s['worst'] or 'none')}.</p>"
            '<table><thead><tr><th scope="col">Group</th><th scope="col">Messages</th><th scope="col">Findings'
            f'</th><th scope="col">Worst</th></tr></thead><tbody>{"".join(rows)}</tbody></table></header>']
    index = {o.path: i for i, o in enumerate(outcomes)}
    for o, text in parts:
        n = index[o.path] + 1
        inner = text.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
        inner = re.sub(r'\b(id|aria-labelledby)="([^"]+)"', lambda m, n=n: f'{m[1]}="c{n}-{m[2]}"', inner)
        inner = re.sub(r'href="#([^"]+)"', lambda m, n=n: f'href="#c{n}-{m[1]}"', inner)
        body.append(f'<section class="chat" id="chat{n}">{inner}</section>')
    return head + "\n".join(body) + "\n</body>\n</html>\n"


# ------------------------------------------------------------------------------------------ commands


def _note(text: str) -> None:
    print(f"wa-audit: note: {text}", file=sys.stderr)


def _run_for_command(paths: list[str], pack: RulePack, rules: list[str] | None, group: str | None,
                     opts: ScanOptions, baseline: str | None, write_baseline: str | None,
                     jobs: int) -> list[Outcome]:
    from whatsapp_audit.baseline import use

    if group is None:
        _note("no --group file: membership and investigation checks are skipped")
    outcomes = run(paths, pack, rules, group, opts, jobs)
    for o in outcomes:
        if group is not None and o.group_path is None:
            _note(f"{o.path}: no {Path(o.path).stem}.yaml or group.yaml in {group}: membership and "
                  "investigation checks are skipped for it")
        if o.result is not None:
            for n in o.result.notes:
                _note(n if n.startswith(o.path) else f"{o.path}: {n}")
        else:
            print(f"wa-audit: error: {o.error}", file=sys.stderr)
    ok = [o for o in outcomes if o.result is not None]
    for n in use([o.result for o in ok if o.result is not None], baseline, write_baseline):
        _note(n)
    for o in ok:
        if o.result is not None and o.result.baseline:
            o.suppressed = o.result.baseline["suppressed"]
    return outcomes


def scan_many(paths: list[str], pack: RulePack, rules: list[str] | None, group: str | None, opts: ScanOptions,
              fmt: str, fail_on: str, baseline: str | None = None, write_baseline: str | None = None,
              jobs: int = 0) -> int:
    """`wa-audit scan` with several chats: prints, returns the exit code."""
    outcomes = _run_for_command(paths, pack, rules, group, opts, baseline, write_baseline, jobs)
    if fmt == "json":
        sys.stdout.write(render_json(outcomes))
    else:
        render_text(outcomes)
    return exit_code(outcomes, fail_on)


def report_many(paths: list[str], pack: RulePack, rules: list[str] | None, group: str | None,
                opts: ScanOptions, ropts: ReportOptions, fmt: str, fail_on: str, jobs: int = 0) -> tuple[str, int, int]:
    """`wa-audit report` with several chats: (the one file's text, findings in it, exit code)."""
    outcomes = _run_for_command(paths, pack, rules, group, opts, None, None, jobs)
    reports = build_reports(outcomes, ropts)
    code = exit_code(outcomes, fail_on)
    if code != 2 and fail_on != "never":
        worst = max((r.result.worst() or 0 for _, r in reports), default=0)
        code = 1 if worst and worst >= Severity[fail_on] else 0
    return render_reports(reports, outcomes, fmt), sum(len(r.items) for _, r in reports), code
