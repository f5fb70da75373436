"""`report --format html`: one self-contained page for the deputy head, on screen and printed on A4.

Inline CSS only: no scripts, fonts or images from anywhere (a Content-Security-Policy says so too). Every
string that comes from the chat, the group file or the rule pack goes through `_e()`; severity is always
written as a word or letter as well as coloured.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import TextIO

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import Severity
from whatsapp_audit.report.view import Item, Report, Section, Shown, long_when, severity_word

LETTER = {Severity.breach: "B", Severity.warning: "W", Severity.info: "i"}

CSS = """
:root { --ink: #1b1b1b; --muted: #555; --line: #c8c8c8; --soft: #f4f4f2;
  --breach: #a4161a; --breach-bg: #fde8e8; --warning: #7a4d00; --warning-bg: #fff1cc;
  --info: #1d4f91; --info-bg: #e3eefc; --mark: #ffe066; }
* { box-sizing: border-box; }
html { color: var(--ink); background: #fff; font-size: 15px; }
body { font: 1rem/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; overflow-wrap: break-word; }
h1 { font-size: 1.6rem; margin: .6rem 0 .2rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.12rem; margin: 1.6rem 0 .5rem; }
h4 { font-size: 1rem; margin: 0 0 .5rem; font-weight: 600; }
a { color: var(--info); }
.subtitle { margin: 0 0 1rem; color: var(--muted); }
.notice { border: 2px solid; border-left-width: .5rem; padding: .6rem .8rem; margin: 0 0 1rem; }
.notice-pii { border-color: var(--breach); background: var(--breach-bg); }
.notice-redacted { border-color: var(--info); background: var(--info-bg); }
.notice strong { display: block; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
table.meta th { width: 11rem; background: var(--soft); font-weight: 600; }
table.meta td.hash { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; }
table.summary { font-size: .9rem; width: auto; min-width: 50%; }
table.summary th, table.summary td { padding: .25em .35em; }
table.summary thead th { font-size: .8em; vertical-align: bottom; }
table.summary thead th.cat { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  text-align: left; vertical-align: middle; padding: .4em .2em; }
table.summary th[scope=row] { min-width: 8em; }
table.summary td.n { text-align: center; white-space: nowrap; }
table.summary td.total { text-align: right; font-weight: 600; }
table.summary tr.clean th, table.summary tr.clean td { color: var(--muted); }
.zero { color: #999; }
.sev { display: inline-block; min-width: 1.2em; padding: 0 .25em; border: 1px solid; border-radius: 3px;
  font-size: .78em; font-weight: 700; text-align: center; text-decoration: none; }
.s-breach { color: var(--breach); background: var(--breach-bg); }
.s-warning { color: var(--warning); background: var(--warning-bg); }
.s-info { color: var(--info); background: var(--info-bg); }
.badge { display: inline-block; padding: .05rem .45rem; border: 1px solid; border-radius: 3px; font-size: .8rem;
  font-weight: 700; text-transform: uppercase; letter-spacing: .03em; }
.legend { font-size: .85rem; color: var(--muted); }
nav ol { margin: .3rem 0; }
nav ol ol { display: flex; flex-wrap: wrap; gap: 0 1.2rem; padding-left: 1.2rem; list-style: none; }
.hash { overflow-wrap: anywhere; }
ol.pathway li { margin-bottom: .35rem; }
.member-head { display: flex; flex-wrap: wrap; gap: .3rem 1rem; align-items: baseline; }
.member-head p { margin: 0; color: var(--muted); }
article.finding { border: 1px solid var(--line); border-left: .45rem solid var(--line); margin: 0 0 1rem;
  padding: .7rem .9rem; break-inside: avoid; }
article.f-breach { border-left-color: var(--breach); }
article.f-warning { border-left-color: #c98a00; }
article.f-info { border-left-color: var(--info); }
.ref { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; color: var(--muted); }
.when { font-weight: 400; color: var(--muted); }
ol.chat { list-style: none; margin: .4rem 0 .6rem; padding: 0; }
ol.chat li { padding: .25rem .6rem; margin: 0 0 .15rem; background: var(--soft); border-radius: 4px; }
ol.chat li.ctx { color: var(--muted); font-size: .9rem; }
ol.chat li.hit { background: #fff; border: 2px solid var(--ink); }
.msg-head { font-size: .8rem; color: var(--muted); }
.msg-head .author { font-weight: 600; color: var(--ink); }
li.ctx .msg-head .author { color: var(--muted); }
.tag { font-size: .72rem; text-transform: uppercase; letter-spacing: .04em; border: 1px solid; padding: 0 .3em;
  border-radius: 3px; margin-right: .3em; }
.msg-text { white-space: pre-wrap; }
.placeholder { font-style: italic; color: var(--muted); }
mark { background: var(--mark); color: inherit; font-weight: 700; text-decoration: underline;
  text-decoration-thickness: 2px; text-underline-offset: 2px; padding: 0 .1em; }
dl.facts { display: grid; grid-template-columns: 7.5rem 1fr; gap: .25rem .8rem; margin: .3rem 0 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
blockquote { margin: 0; padding-left: .6rem; border-left: 3px solid var(--line); font-style: italic; }
.media-note { border: 1px dashed var(--warning); background: var(--warning-bg); padding: .3rem .6rem; margin: .3rem 0; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
table.integrity { font-size: .9rem; }
table.integrity td:first-child { text-align: right; white-space: nowrap; width: 4rem; }
table.integrity td:nth-child(2) { width: 14rem; }
table.cat { table-layout: fixed; }
table.cat td.msg { white-space: pre-wrap; }
table.cat .c-ref { width: 3.4rem; } table.cat .c-when { width: 8.6rem; } table.cat .c-member { width: 9.5rem; }
table.cat .c-sev { width: 6.6rem; } table.cat .c-step { width: 7.6rem; }
footer { margin-top: 2.5rem; padding-top: .6rem; border-top: 1px solid var(--line); font-size: .85rem;
  color: var(--muted); }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  html { font-size: 9.5pt; }
  body { max-width: none; padding: 0; }
  nav, .skip { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  h3, h4, .member-head { break-after: avoid; }
  section.member, #categories { break-before: page; }
  article.finding, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .notice { break-inside: avoid; }
  mark { background: #ffe066 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .s-breach, .s-warning, .s-info, .notice, article.finding
    { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(s: object) -> str:
    return escape(str(s), quote=True)


def _sev(s: Severity, letter: bool = False) -> str:
    """Severity as a word (or letter with its word as title), coloured as well: never colour alone."""
    word = severity_word(s)
    if letter:
        return f'<abbr class="sev s-{word}" title="{word}">{LETTER[s]}</abbr>'
    return f'<span class="badge s-{word}">{word}</span>'


def _text(segs: list[tuple[str, bool]]) -> str:
    return "".join(f"<mark>{_e(c)}</mark>" if hot else _e(c) for c, hot in segs)


def _message(m: Shown, hit: bool, label: str = "") -> str:
    cls = "hit" if hit else "ctx"
    tag = f'<span class="tag">{_e(label)}</span>' if label else ""
    body = ""
    if m.placeholder:
        body += f'<span class="placeholder">{_e(m.placeholder)}</span>'
        if m.text:
            body += "\n"
    if m.kind == "system":
        body += f'<span class="placeholder">{_text(m.segments)}</span>'
    else:
        body += _text(m.segments)
    return (f'<li class="{cls}"><div class="msg-head">{tag}<span class="author">{_e(m.author)}</span> · '
            f'<time datetime="{_e(m.timestamp)}">{_e(long_when(m.timestamp))}</time></div>'
            f'<div class="msg-text">{body}</div></li>')


def _header(r: Report) -> str:
    res, c = r.result, r.result.chat
    out = []
    if r.redacted:
        out.append('<div class="notice notice-redacted" role="note"><strong>Redacted report.</strong> Children\'s '
                   "and third-party names, phone numbers, e-mail addresses and addresses are replaced by [child], "
                   "[name], [phone], [email], [address] and [detail]. Members' names are kept.</div>")
    else:
        out.append('<div class="notice notice-pii" role="note"><strong>Contains children\'s personal data — store '
                   "securely.</strong> This report quotes the chat, including children's names and personal "
                   "details. Do not forward or post it; keep it only as long as the case needs it. "
                   "Use <code>--redact</code> for a copy without them.</div>")
    out.append("<h1>WhatsApp group breach report</h1>")
    out.append(f'<p class="subtitle">{_e(r.group_name)} · {_e(r.pathway.school.name)}</p>')
    first, last = r.period
    rows = [
        ("Group", _e(r.group_name)),
        ("Export file", _e(c.name)),
        ("SHA-256", f'<span class="hash">{_e(c.sha256)}</span>'),
        ("Integrity", f'<a href="#integrity">{len(res.integrity)} sign{"s" if len(res.integrity) != 1 else ""} of '
                      "editing</a>" if res.integrity else '<a href="#integrity">no signs of editing</a>'),
        ("Period covered", f"{_e(first)} to {_e(last)}" if first else "no messages"),
        ("Messages", f"{c.messages:,}"),
        ("Members", f"{len(c.members)} posted" + (f", {r.roster_size} on the roster" if r.roster_size else "")),
        ("Findings", f"{len(r.items)} (worst: {_e(severity_word(res.worst()))})"),
        ("Rules", f"{_e(res.pack_name)} {_e(res.pack_version)}"
                  + (f' <span class="hash">({_e(res.pack_sha256[:12])})</span>' if res.pack_sha256 else "")),
        ("Generated", f"{_e(r.generated)} by wa-audit {_e(res.tool_version)}"),
    ]
    if r.filters:
        rows.append(("Filters", _e("; ".join(r.filters))))
    if r.redacted:
        rows.append(("Redacted", "yes"))
    body = "".join(f'<tr><th scope="row">{k}</th><td{" class=hash" if k == "SHA-256" else ""}>{v}</td></tr>'
                   for k, v in rows)
    out.append(f'<table class="meta"><caption class="sr">About this report</caption>{body}</table>')
    if res.notes:
        out.append("<ul class=\"legend\">" + "".join(f"<li>{_e(n)}</li>" for n in res.notes) + "</ul>")
    return "\n".join(out)


def _integrity(r: Report) -> str:
    """The export's fingerprint and any signs that it was edited: about the evidence, not findings."""
    c = r.result.chat
    signs = r.result.integrity
    intro = (f"<p>The file checked has SHA-256 <span class=\"hash\">{_e(c.sha256)}</span>. Any change to the "
             "file, even one character, gives a different value: compare it with the copy you keep. An export is "
             "plain text that anyone can edit, so the checks below look for traces an editor leaves and WhatsApp "
             "never does. They are not findings. A careful edit in the export's own format leaves no trace: "
             "before acting on a disputed message, see it in the group on a phone.</p>")
    if not signs:
        body = "<p><strong>No signs of editing were found.</strong></p>"
    else:
        rows = "".join(f'<tr><td>{sg.line if sg.line else "–"}</td><td>{_e(sg.title)}</td>'
                       f"<td>{_e(sg.detail)}</td></tr>" for sg in signs)
        body = (f"<p><strong>{len(signs)} sign{'s' if len(signs) != 1 else ''} that the export may have been "
                "edited:</strong></p>"
                '<table class="integrity"><thead><tr><th scope="col">Line</th><th scope="col">Check</th>'
                f'<th scope="col">What was seen</th></tr></thead><tbody>{rows}</tbody></table>')
    return f'<section id="integrity"><h2>Integrity of the export</h2>{intro}{body}</section>'


def _nav(r: Report) -> str:
    members = "".join(f'<li><a href="#{s.anchor}">{_e(s.title)}</a> ({len(s.items)})</li>' for s in r.by_member)
    return ('<nav aria-label="Contents"><h2>Contents</h2><ol>'
            '<li><a href="#integrity">Integrity of the export</a></li>'
            '<li><a href="#summary">Breach summary per member</a></li>'
            '<li><a href="#pathway">Escalation pathway</a></li>'
            f'<li><a href="#members">Findings by member</a><ol>{members}</ol></li>'
            '<li><a href="#categories">Findings by category</a></li></ol></nav>')


def _summary(r: Report) -> str:
    anchors = {s.key: s.anchor for s in r.by_member}
    head = "".join(f'<th scope="col" class="cat" title="{_e(CATEGORIES[c].title)}">{_e(c)}</th>'
                   for c in r.columns)
    rows = []
    for s in r.summary:
        name = _e(s.member)
        if s.member in anchors:
            name = f'<a href="#{anchors[s.member]}">{name}</a>'
        cells = []
        for c in r.columns:
            n = s.counts.get(c, 0)
            if n:
                cells.append(f'<td class="n">{n} {_sev(s.worst[c], letter=True)}</td>')
            else:
                cells.append('<td class="n zero"><span aria-hidden="true">–</span><span class="sr">0</span></td>')
        worst = _sev(s.worst_overall) if s.worst_overall is not None else "none"
        cls = "" if s.total else ' class="clean"'
        rows.append(f'<tr{cls}><th scope="row">{name}</th>{"".join(cells)}'
                    f'<td class="total">{s.total}</td><td>{worst}</td></tr>')
    table = (f'<table class="summary"><caption>Count and worst severity per category '
             f'(B breach, W warning, i info)</caption><thead><tr><th scope="col">Member</th>{head}'
             f'<th scope="col">Total</th><th scope="col">Worst</th></tr></thead><tbody>{"".join(rows)}</tbody>'
             "</table>")
    legend = ('<p class="legend">Members with findings come first (worst severity, then most findings); every '
              "other member who posted or is on the roster is listed with none, to show who was checked. "
              "Column headings are category ids; the sections below give each category's full name.</p>")
    if not r.summary:
        table = "<p>No members to show.</p>"
    return f'<section id="summary"><h2>Breach summary per member</h2>{table}{legend}</section>'


def _pathway(r: Report) -> str:
    items = "".join(f"<li><strong>{_e(k)}.</strong> {_e(v)}</li>" for k, v in r.pathway.stages())
    return (f'<section id="pathway"><h2>Escalation pathway</h2><p>From {_e(r.pathway.school.name)}\'s parents\' '
            f'WhatsApp group policy. Each finding below names its next step.</p><ol class="pathway">{items}</ol>'
            "</section>")


def _finding(it: Item, show_member: bool = True) -> str:
    f = it.finding
    word = severity_word(f.severity)
    head = (f'<h4><span class="ref">{it.ref}</span> {_sev(f.severity)} {_e(it.category.title)} '
            f'<span class="when">· {_e(long_when(it.message.timestamp)) if it.message else "whole chat"}'
            f'{" · " + _e(it.member) if show_member else ""}</span></h4>')
    parts = [f'<article class="finding f-{word}" id="{it.anchor}" aria-label="{it.ref}">{head}']
    if it.message is not None:
        chat = [_message(m, False, "before") for m in it.before]
        chat.append(_message(it.message, True, "reported"))
        chat += [_message(m, False, "after") for m in it.after]
        parts.append(f'<ol class="chat">{"".join(chat)}</ol>')
    if it.media_note:
        parts.append(f'<p class="media-note">{_e(it.media_note)}</p>')
    facts = [("Why", _e(f.explanation))]
    ev = [e.text for e in f.evidence if e.text]
    if ev:
        facts.append(("Evidence", ", ".join(f"<mark>{_e(t)}</mark>" for t in ev)))
    facts.append(("Policy", f"<blockquote>“{_e(it.clause)}”</blockquote>"))
    facts.append(("Next step", f"<strong>{_e(it.next_step.stage.capitalize())}:</strong> {_e(it.next_step.text)}"))
    where = f"rule {_e(f.rule)}, category {_e(f.category)}"
    if it.message is not None:
        where += f", line {it.message.line} of the export"
    facts.append(("Reference", where))
    parts.append('<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
    parts.append("</article>")
    return "".join(parts)


def _member(s: Section, summary_line: str) -> str:
    items = "".join(_finding(it, show_member=False) for it in s.items)
    return (f'<section class="member" id="{s.anchor}" aria-labelledby="{s.anchor}-h">'
            f'<div class="member-head"><h3 id="{s.anchor}-h">{_e(s.title)}</h3><p>{summary_line}</p></div>'
            f"{items}</section>")


def _members(r: Report) -> Iterator[str]:
    if not r.by_member:
        yield '<section id="members"><h2>Findings by member</h2><p>No findings.</p></section>'
        return
    by = {s.member: s for s in r.summary}
    yield '<section id="members"><h2>Findings by member</h2>'
    for sec in r.by_member:
        s = by[sec.key]
        cats = ", ".join(f"{_e(CATEGORIES[c].title)} {n}" for c, n in s.counts.items() if n)
        yield _member(sec, f"{s.total} finding{'s' if s.total != 1 else ''} · worst {_sev(sec.worst)} · {cats}")
    yield "</section>"


def _categories(r: Report) -> Iterator[str]:
    if not r.by_category:
        yield '<section id="categories"><h2>Findings by category</h2><p>No findings.</p></section>'
        return
    yield '<section id="categories"><h2>Findings by category</h2>'
    for sec in r.by_category:
        cat = CATEGORIES[sec.key]
        rows = []
        for it in sec.items:
            msg = f'<span class="placeholder">{_e(it.finding.explanation)}</span>' if it.message is None else (
                (f'<span class="placeholder">{_e(it.message.placeholder)}</span> ' if it.message.placeholder
                 else "") + _text(it.message.segments))
            rows.append(f'<tr><td class="ref"><a href="#{it.anchor}">{it.ref}</a></td>'
                        f'<td class="when">{_e(it.when) or "–"}</td><th scope="row">{_e(it.member)}</th>'
                        f'<td class="msg">{msg}</td><td>{_sev(it.finding.severity)}</td>'
                        f"<td>{_e(it.next_step.stage)}</td></tr>")
        yield (f'<section class="category" id="{sec.anchor}"><h3>{_e(cat.title)} <span class="ref">({_e(cat.id)}) · '
               f'{len(sec.items)}</span></h3><p>Policy: <q>{_e(cat.clause)}</q></p>'
               f'<table class="cat"><thead><tr><th scope="col" class="c-ref">#</th><th scope="col" class="c-when">'
               f'When</th><th scope="col" class="c-member">Member</th><th scope="col">Message (evidence marked)</th>'
               f'<th scope="col" class="c-sev">Severity</th><th scope="col" class="c-step">Next step</th></tr>'
               f'</thead><tbody>{"".join(rows)}</tbody></table></section>')
    yield "</section>"


def write_report(r: Report, out: TextIO) -> None:
    """The page, written a member's and a category's section at a time (a 25,000-finding page built as one
    string took several copies of its 70 MB)."""
    title = f"Breach report: {r.group_name}"
    first, last = r.period
    if first:
        title += f" ({first[:10]} to {last[:10]})"
    footer = (f"<footer><p>Made offline by wa-audit {_e(r.result.tool_version)} on {_e(r.generated)} from "
              f"{_e(r.result.chat.name)} (SHA-256 {_e(r.result.chat.sha256)}). Findings are automated suggestions "
              "against the policy: a person must read each one in context before any action is taken.</p>"
              + ("<p><strong>Redacted report.</strong></p>" if r.redacted else
                 "<p><strong>Contains children's personal data — store securely.</strong></p>")
              + "</footer>")
    out.write("\n".join([
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        '<meta name="robots" content="noindex, nofollow">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<header>{_header(r)}</header>",
        "<main>",
        _nav(r),
        _integrity(r),
        _summary(r),
        _pathway(r),
        "",
    ]))
    for part in _members(r):
        out.write(part)
    out.write("\n")
    for part in _categories(r):
        out.write(part)
    out.write("\n" + "\n".join(["</main>", footer, "</body>", "</html>", ""]))
