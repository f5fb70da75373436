"""Safe YAML loading that remembers where every value came from, for `file:line:col` messages.

Mappings load as `PosDict` and sequences as `PosList`; both know their own position and the position of
each key / item. Aliases are refused: nothing a school writes needs them, and they are the way a small
YAML file expands into a huge one ("billion laughs").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from whatsapp_audit.errors import UserError
from whatsapp_audit.filetypes import ZIP_MAGIC, sniff

Pos = tuple[int, int]  # 1-based line, column


class PosDict(dict[str, Any]):
    pos: Pos = (1, 1)
    key_pos: dict[str, Pos]
    value_pos: dict[str, Pos]


class PosList(list[Any]):
    pos: Pos = (1, 1)
    item_pos: list[Pos]


def _mark(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


MAX_DEPTH = 50   # a rule or group file nests a handful of levels; thousands would exhaust Python's stack


class _Positions:
    """Constructors that record positions (shared by the C and the pure-Python loader)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> PosDict:
        out = PosDict()
        out.pos = _mark(node)
        out.key_pos, out.value_pos = {}, {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            key = str(key)
            if key in out:
                raise yaml.MarkedYAMLError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            out[key] = self.construct_object(value_node, deep=True)  # type: ignore[attr-defined]
            out.key_pos[key] = _mark(key_node)
            out.value_pos[key] = _mark(value_node)
        return out

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> PosList:
        out = PosList(self.construct_object(child, deep=True) for child in node.value)  # type: ignore[attr-defined]
        out.pos = _mark(node)
        out.item_pos = [_mark(child) for child in node.value]
        return out

    def construct_timestamp(self, node: yaml.ScalarNode) -> Any:
        """An impossible date ("2024-02-30") stays text, so the caller can report it with its position."""
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(self, node)  # type: ignore[arg-type]
        except ValueError:
            return self.construct_scalar(node)  # type: ignore[attr-defined]


class _Loader(_Positions, yaml.SafeLoader):
    """Pure Python: refuses aliases and deep nesting while composing."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, ALIASES, event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                           self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


ALIASES = "YAML aliases (*name) are not allowed here"
_CLoader: Any = None
if getattr(yaml, "__with_libyaml__", False):
    class _CLoader(_Positions, yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml (C, ~10x faster; its own nesting limit is 1000): aliases and depth checked on the node
        tree before anything is constructed. An alias is the same node object met twice."""


def _check_tree(root: yaml.Node | None) -> None:
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int, yaml.Node | None]] = [(root, 1, None)] if root is not None else []
    while stack:
        node, depth, via = stack.pop()
        if id(node) in seen:
            raise yaml.MarkedYAMLError(None, None, ALIASES, (via or node).start_mark)
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(None, None, f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        # Children pushed in reverse, so nodes are met in document order: the second meeting is the alias,
        # reported at its key or at the list holding it (the alias itself leaves no mark in the tree).
        if isinstance(node, yaml.MappingNode):
            for k, v in reversed(node.value):
                stack.append((v, depth + 1, k))
                stack.append((k, depth + 1, k))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1, node) for child in reversed(node.value))


def _load(text: str) -> Any:
    if _CLoader is None:
        return yaml.load(text, Loader=_Loader)
    loader = _CLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError:
            # libyaml is stricter in places (surrogate-pair escapes such as "\ud83d\ude2d"): let the
            # pure-Python loader, which the error messages were written for, have the last word.
            return yaml.load(text, Loader=_Loader)
        _check_tree(node)
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


for _cls in (_Loader, _CLoader):
    if _cls is not None:
        _cls.add_constructor("tag:yaml.org,2002:timestamp", _cls.construct_timestamp)
        _cls.add_constructor("tag:yaml.org,2002:map", _cls.construct_mapping)
        _cls.add_constructor("tag:yaml.org,2002:seq", _cls.construct_sequence)

MAX_YAML_BYTES = 5_000_000


def load_yaml(path: str | Path, text: str | None = None) -> Any:
    """Load one YAML document with positions; unreadable or malformed input is a UserError."""
    name = str(path)
    if text is None:
        p = Path(path)
        if p.is_dir():
            raise UserError("is a folder, expected a YAML file", path=name, hint="pass the .yaml file inside it")
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise UserError("file not found", path=name, hint="check the path") from None
        except OSError as e:
            raise UserError(f"cannot read file: {e.strerror}", path=name,
                            hint="check the file's permissions" if e.errno == 13 else None) from None
        if len(raw) > MAX_YAML_BYTES:
            raise UserError(f"file is too large for a YAML settings file ({len(raw):,} bytes)", path=name,
                            hint="a rule or group file is a few kilobytes: is this the right file?")
        what = sniff(raw[:64]) or ("a zip archive" if raw[:4] in ZIP_MAGIC else None)
        if what is not None:
            raise UserError(f"is {what}, not a YAML file", path=name, hint="pass the .yaml file")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise UserError(f"not UTF-8 text (byte {e.start})", path=name, hint="save it as UTF-8") from None
    try:
        return _load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = e.problem or e.context or "invalid YAML"
        if "maximum nesting depth" in what:    # libyaml's own limit (1000), far past ours
            what = f"nested more than {MAX_DEPTH} levels deep"
        hint = "write the value out in full instead of *name" if "aliases" in what else None
        raise UserError(f"invalid YAML: {what}", path=name, line=mark.line + 1 if mark else None,
                        col=mark.column + 1 if mark else None, hint=hint) from None
    except yaml.YAMLError as e:
        raise UserError(f"invalid YAML: {e}", path=name) from None
    except RecursionError:   # the scanner's own recursion, before the depth check can see it
        raise UserError(f"invalid YAML: nested more than {MAX_DEPTH} levels deep", path=name) from None


def pos_of(container: Any, key: str | int | None = None) -> Pos:
    """Best-known position of `container[key]` (or of the container itself)."""
    if isinstance(container, PosDict):
        if key is not None and key in container.value_pos:
            return container.value_pos[str(key)]
        return container.pos
    if isinstance(container, PosList):
        if isinstance(key, int) and 0 <= key < len(container.item_pos):
            return container.item_pos[key]
        return container.pos
    return (1, 1)
