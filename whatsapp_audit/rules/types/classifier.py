"""`type: classifier` - a small, deterministic text classifier for cues no word list captures (deadpan jokes).

A logistic-regression model over words, word pairs and a few message shapes, trained in pure Python from
labelled examples that the rule pack carries (`rules/training/NAME.yaml`: `positive:` and `negative:` lists of
sentences written for the pack). The weights are a JSON file shipped beside the pack; the rule fires when the
model's probability reaches `threshold`, and explains itself with the words that pushed the score up.

    - id: humour-classifier
      type: classifier
      model: models/humour.json        # relative to this rule file
      threshold: 0.7

Train (or retrain after editing the examples) with:

    python -m whatsapp_audit.rules.types.classifier train rules/training/humour.yaml rules/models/humour.json
    python -m whatsapp_audit.rules.types.classifier check rules/training/humour.yaml rules/models/humour.json
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex

from whatsapp_audit.model import Evidence, Message
from whatsapp_audit.rules.interface import Context, Hit, Opt, Rule, RuleConfigError, RuleType

FEATURES_VERSION = 1
_TOKEN = regex.compile(r"[\p{L}\p{N}'’]+|[^\p{L}\p{N}\s\p{P}]", regex.V1)
_SENTENCES = regex.compile(r"(?<=[.!?])\s+")
_LOGISTICS = regex.compile(r"\d[.:]\d\d|\b\d{1,2}(?:st|nd|rd|th)\b|£\d", regex.V1 | regex.IGNORECASE)
_DIGITS = regex.compile(r"\d+")
# Settings of the trainer (part of the model file, so a change shows up as a stale model).
EPOCHS, RATE, L2, POSITIVE_WEIGHT, SEED, KEEP = 30, 0.3, 1e-3, 2.0, 0, 0.01


def _token(raw: str) -> str:
    t = raw.replace("’", "'")
    return t if t.isalpha() else _DIGITS.sub("0", t)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased word and emoji tokens with their spans; digits folded to 0."""
    return [(_token(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text.lower())]


def features(text: str) -> dict[str, tuple[int, int] | None]:
    """Feature name -> a span of the text that shows it (None for whole-message shapes)."""
    toks = tokens(text)
    f: dict[str, tuple[int, int] | None] = {}
    for t, s, e in toks:
        f.setdefault("w:" + t, (s, e))
    for (a, s, _), (b, _, e) in itertools.pairwise(toks):
        f.setdefault(f"b:{a}_{b}", (s, e))
    for shape in _shapes(text):
        f[shape] = None
    return f


_last_names: tuple[str, frozenset[str]] = ("", frozenset())


def feature_names(text: str) -> frozenset[str]:
    """The names of features(text), without spans. Every classifier rule looks at the same message, so the
    last answer is kept (the tokens are worked out once per message, not once per model)."""
    global _last_names
    if _last_names[0] is not text:
        toks = [_token(m.group()) for m in _TOKEN.finditer(text.lower())]
        names = {"w:" + t for t in toks}
        names.update(f"b:{a}_{b}" for a, b in itertools.pairwise(toks))
        names.update(_shapes(text))
        _last_names = (text, frozenset(names))
    return _last_names[1]


def _shapes(text: str) -> list[str]:
    """Whole-message shape features."""
    out = []
    sents = [x for x in _SENTENCES.split(text.strip()) if x]
    if len(sents) > 1 and len(sents[-1].split()) <= 5 and sents[-1].endswith("."):
        out.append("shape:deadpan-ending")
    if _LOGISTICS.search(text):
        out.append("shape:times-dates-money")
    if text.strip().endswith("?"):
        out.append("shape:question")
    return out


def _sha(data: dict[str, list[str]]) -> str:
    doc = {"positive": data["positive"], "negative": data["negative"], "features": FEATURES_VERSION,
           "trainer": [EPOCHS, RATE, L2, POSITIVE_WEIGHT, SEED, KEEP]}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _read(path: Path) -> dict[str, Any]:
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return doc if isinstance(doc, dict) else {}


def load_training(path: str | Path) -> dict[str, Any]:
    """The examples of a training file. `negatives_from: [other.yaml, ...]` (beside it) adds every example
    of those files - their positives and negatives - as negatives: one category's messages are the other
    classifiers' counter-examples, so each file need only carry its own near misses."""
    path = Path(path)
    doc = _read(path)
    pos = [str(x) for x in doc.get("positive") or []]
    neg = [str(x) for x in doc.get("negative") or []]
    if not pos or not neg:
        raise ValueError(f"{path}: needs non-empty 'positive' and 'negative' lists")
    seen = set(pos) | set(neg)
    for other in doc.get("negatives_from") or []:
        more = _read(path.parent / str(other))
        for x in [*(more.get("positive") or []), *(more.get("negative") or [])]:
            if str(x) not in seen:
                seen.add(str(x))
                neg.append(str(x))
    return {"name": str(doc.get("name") or path.stem), "positive": pos, "negative": neg}


def train(data: dict[str, Any]) -> dict[str, Any]:
    """Logistic regression by plain SGD: deterministic (fixed seed and order), no dependencies."""
    rows = [(list(features(t)), 1) for t in data["positive"]] + [(list(features(t)), 0) for t in data["negative"]]
    w: dict[str, float] = {}
    b = 0.0
    rng = random.Random(SEED)
    for _ in range(EPOCHS):
        rng.shuffle(rows)
        for feats, y in rows:
            z = b + sum(w.get(k, 0.0) for k in feats)
            g = (1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) - y) * (POSITIVE_WEIGHT if y else 1.0)
            b -= RATE * g
            for k in feats:
                wk = w.get(k, 0.0)
                w[k] = wk - RATE * (g + L2 * wk)
    weights = {k: round(v, 4) for k, v in sorted(w.items()) if abs(v) >= KEEP}
    return {"name": data["name"], "features_version": FEATURES_VERSION, "training_sha256": _sha(data),
            "examples": {"positive": len(data["positive"]), "negative": len(data["negative"])},
            "bias": round(b, 4), "weights": weights}


_LOADED: dict[tuple[str, int, int], Model] = {}
_FUNCTION_WORDS = frozenset((
    "a", "an", "the", "some", "any", "this", "that", "these", "those", "it", "its", "i", "me", "my", "we", "our",
    "you", "your", "he", "him", "his", "she", "her", "they", "them", "their", "is", "are", "was", "were", "be",
    "been", "am", "do", "does", "did", "have", "has", "had", "to", "of", "in", "on", "at", "for", "with", "and",
    "or", "but", "so", "if", "as", "by", "from", "up", "out", "just", "not", "no"))


class Model:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.name = doc.get("name", "model")
        self.bias = float(doc["bias"])
        self.weights: dict[str, float] = {str(k): float(v) for k, v in doc["weights"].items()}
        self.training_sha256 = doc.get("training_sha256", "")
        if doc.get("features_version") != FEATURES_VERSION:
            raise ValueError("model was trained with another feature set: retrain it")

    @classmethod
    def load(cls, path: str | Path) -> Model:
        """The model in a file; loading the same unchanged file again gives the same object (packs are
        loaded many times in one process - tests, rules test - and every model stays in _BANK)."""
        st = os.stat(path)
        key = (os.path.realpath(path), st.st_mtime_ns, st.st_size)
        model = _LOADED.get(key)
        if model is None:
            model = _LOADED[key] = cls(json.loads(Path(path).read_text(encoding="utf-8")))
        return model

    def score(self, text: str) -> tuple[float, list[tuple[str, float, tuple[int, int] | None]]]:
        """Probability, and the features that pushed it up (largest first)."""
        f = features(text)
        contrib = [(k, self.weights[k], span) for k, span in f.items() if k in self.weights]
        z = self.bias + sum(c for _, c, _ in contrib)
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return p, sorted((c for c in contrib if c[1] > 0), key=lambda c: -c[1])


class _Bank:
    """Every classifier rule's weights looked up together, so each feature of a message is looked up once for
    all the models rather than once per model (five models: ~20 µs a message down to ~6). Holds each model
    object once (Model.load gives the same object for the same file).

    The table is filled per feature name as messages show them, not all at once: building it whole took
    0.08 s, most of a re-scan's work on 1,000 new messages. It is emptied when it gets big, so a long chat's
    vocabulary never piles up in memory.

    logits() is the cheap test run on every message: scores before the sigmoid, from feature names alone
    (no spans). It sums in another order than Model.score(), so compare it with a margin."""

    MAX_TABLE = 200_000          # feature names remembered (~20 MB at most)

    def __init__(self) -> None:
        self.models: list[Model] = []
        self.table: dict[str, tuple[tuple[int, float], ...]] = {}
        self._last: tuple[str, list[float]] = ("", [])

    def index(self, model: Model) -> int:
        for i, m in enumerate(self.models):
            if m is model:
                return i
        self.models.append(model)
        self.table, self._last = {}, ("", [])
        return len(self.models) - 1

    def _entry(self, name: str) -> tuple[tuple[int, float], ...]:
        if len(self.table) >= self.MAX_TABLE:
            self.table = {}
        entry = self.table[name] = tuple((i, w) for i, m in enumerate(self.models)
                                         if (w := m.weights.get(name)) is not None)
        return entry

    def logits(self, text: str) -> list[float]:
        if self._last[0] is text:          # index() clears it when a model is added
            return self._last[1]
        table = self.table
        z = [m.bias for m in self.models]
        for name in feature_names(text):
            entry = table.get(name)
            if entry is None:
                entry = self._entry(name)
                table = self.table
            for i, w in entry:
                z[i] += w
        self._last = (text, z)
        return z


_BANK = _Bank()


class ClassifierRule(RuleType):
    type = "classifier"
    description = "fires when a small trained text classifier (weights shipped with the pack) scores high"
    options = {
        "model": Opt("str", required=True, doc="model file (JSON), relative to the rule file"),
        "threshold": Opt("float", default=0.7, doc="probability needed to fire (0-1)"),
        "min_chars": Opt("int", default=12, doc="shorter messages are left to other rules"),
    }

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        o = rule.options
        path = Path(str(o["model"]))
        if not path.is_absolute() and rule.source:
            path = Path(rule.source).parent / path
        try:
            self.model = Model.load(path)
        except FileNotFoundError:
            raise RuleConfigError(f"model file not found: {path} (train it with `python -m "
                                  f"whatsapp_audit.rules.types.classifier train TRAINING.yaml {path}`)",
                                  "model") from None
        except (ValueError, KeyError, TypeError) as e:
            raise RuleConfigError(f"model file {path} is not a classifier model: {e}", "model") from None
        self.threshold = float(o["threshold"])
        if not 0.0 < self.threshold < 1.0:
            raise RuleConfigError("'threshold' must be between 0 and 1", "threshold")
        self.min_logit = math.log(self.threshold / (1.0 - self.threshold)) - 1e-6
        self.min_chars = int(o["min_chars"] or 0)
        self.bank_index = _BANK.index(self.model)

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        text = msg.text
        if len(text.strip()) < self.min_chars:
            return
        if _BANK.logits(text)[self.bank_index] < self.min_logit:
            return                  # most messages: no spans worked out
        p, up = self.model.score(text)
        if p < self.threshold:
            return
        ev, cues = [], []
        # The words a person can check: a lone "the" or "some" may carry weight but explains nothing.
        shown = [c for c in up if not (c[0].startswith("w:") and c[0][2:] in _FUNCTION_WORDS)] or up
        for name, _, span in shown[:6]:
            cues.append(name.split(":", 1)[1].replace("_", " "))
            if span is not None and not any(span[0] < e.end and e.start < span[1] for e in ev):
                ev.append(Evidence(text[span[0]:span[1]], span[0], span[1], "classifier"))
        yield Hit(sorted(ev, key=lambda e: e.start),
                  f"{self.model.name} classifier score {p:.2f} >= {self.threshold:.2f}; cues: "
                  + ", ".join(cues[:4]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m whatsapp_audit.rules.types.classifier",
                                 description="Train or check a classifier rule's model from its training examples.")
    ap.add_argument("command", choices=("train", "check"))
    ap.add_argument("training", help="training examples (YAML with positive: and negative: lists)")
    ap.add_argument("model", help="model file (JSON) to write or check")
    a = ap.parse_args(argv)
    data = load_training(a.training)
    if a.command == "check":
        try:
            model = Model.load(a.model)
        except (OSError, ValueError, KeyError) as e:
            print(f"{a.model}: cannot read model: {e}", file=sys.stderr)
            return 1
        if model.training_sha256 != _sha(data):
            print(f"{a.model}: stale, retrain it from {a.training}", file=sys.stderr)
            return 1
        print(f"{a.model}: up to date with {a.training}")
        return 0
    doc = train(data)
    Path(a.model).parent.mkdir(parents=True, exist_ok=True)
    Path(a.model).write_text(json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{a.model}: {len(doc['weights'])} weights from {doc['examples']['positive']} positive and "
          f"{doc['examples']['negative']} negative examples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
