"""Where each key of a TOML document sits, for messages that name the line.

``tomllib`` parses without positions. This small scanner walks a document that ``tomllib``
already accepted and records the 1-based line of every key, array element and table header,
addressed by its path in the parsed data: ``("tables", 0, "filter", "all", 1, "column")``.
"""

from __future__ import annotations

import contextlib
import tomllib
from dataclasses import dataclass

KeyPath = tuple[str | int, ...]
"""A path into parsed TOML data: table keys and array indices."""

_PUNCT = frozenset("[]{}=,")
_STOP = frozenset("[]{}=,#\"'")


@dataclass(frozen=True)
class _Token:
    kind: str  # "punct", "bare", "str", "nl"
    text: str
    line: int
    col: int


def key_lines(text: str) -> dict[KeyPath, int]:
    """The line of every key path in ``text``, a document ``tomllib`` accepts.

    Best effort: a construct the scanner does not follow leaves later paths out, never raises.
    """
    parser = _Parser(_tokens(text))
    # On a surprise keep what was found so far: callers fall back to the nearest known parent.
    with contextlib.suppress(IndexError, KeyError, ValueError, tomllib.TOMLDecodeError):
        parser.document()
    return parser.lines


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int:
    """The line of ``path``, else of its nearest parent that has one, else 0."""
    for end in range(len(path), 0, -1):
        found = lines.get(path[:end])
        if found:
            return found
    return 0


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, line, line_start, n = 0, 1, 0, len(text)
    while i < n:
        ch = text[i]
        col = i - line_start + 1
        if ch == "\n":
            out.append(_Token("nl", ch, line, col))
            i, line, line_start = i + 1, line + 1, i + 1
        elif ch in " \t\r":
            i += 1
        elif ch == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif ch in _PUNCT:
            out.append(_Token("punct", ch, line, col))
            i += 1
        elif ch in "\"'":
            end = _string_end(text, i)
            raw = text[i:end]
            out.append(_Token("str", raw, line, col))
            newlines = raw.count("\n")
            if newlines:
                line += newlines
                line_start = i + raw.rindex("\n") + 1
            i = end
        else:
            start = i
            while i < n and text[i] not in _STOP and not text[i].isspace():
                i += 1
            out.append(_Token("bare", text[start:i], line, col))
    return out


def _string_end(text: str, i: int) -> int:
    """Index just past the string literal starting at ``i``."""
    quote = text[i]
    delim = quote * 3 if text.startswith(quote * 3, i) else quote
    j = i + len(delim)
    while not text.startswith(delim, j):
        j += 2 if quote == '"' and text[j] == "\\" else 1
    j += len(delim)
    if len(delim) == 3:
        while j < len(text) and text[j] == quote:  # up to two quotes may end the content
            j += 1
    return j


def _key_part(token: _Token) -> list[str]:
    if token.kind == "str":
        return [str(tomllib.loads(f"k = {token.text}")["k"])]
    return [part for part in token.text.split(".") if part]


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.toks = tokens
        self.pos = 0
        self.lines: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}  # array-of-tables path -> elements so far

    def peek(self) -> _Token:
        return self.toks[self.pos]

    def take(self) -> _Token:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def at(self, text: str) -> bool:
        return self.pos < len(self.toks) and self.toks[self.pos].text == text

    def skip_newlines(self) -> None:
        while self.pos < len(self.toks) and self.toks[self.pos].kind == "nl":
            self.pos += 1

    def document(self) -> None:
        current: KeyPath = ()
        while True:
            self.skip_newlines()
            if self.pos >= len(self.toks):
                return
            if self.peek().text == "[" and self.peek().kind == "punct":
                current = self.header()
            else:
                self.keyval(current)

    def key(self, closer: str) -> tuple[list[str], int]:
        line = self.peek().line
        parts: list[str] = []
        while not self.at(closer):
            parts.extend(_key_part(self.take()))
        return parts, line

    def header(self) -> KeyPath:
        first = self.take()
        nxt = self.peek()
        is_array = nxt.text == "[" and nxt.line == first.line and nxt.col == first.col + 1
        if is_array:
            self.take()
        parts, _ = self.key("]")
        self.take()
        if is_array:
            self.take()
        path: KeyPath = ()
        for part in parts[:-1]:
            path += (part,)
            if path in self.arrays:
                path += (self.arrays[path] - 1,)
        path += (parts[-1],)
        self.lines.setdefault(path, first.line)
        if is_array:
            index = self.arrays.get(path, 0)
            self.arrays[path] = index + 1
            path += (index,)
            self.lines[path] = first.line
        return path

    def keyval(self, base: KeyPath) -> None:
        parts, line = self.key("=")
        self.take()
        path = base
        for part in parts:
            path += (part,)
            self.lines.setdefault(path, line)
        self.value(path)

    def value(self, path: KeyPath) -> None:
        tok = self.peek()
        if tok.text == "{" and tok.kind == "punct":
            self.take()
            while True:
                self.skip_newlines()
                if self.at("}"):
                    self.take()
                    return
                self.keyval(path)
                self.skip_newlines()
                if self.at(","):
                    self.take()
        elif tok.text == "[" and tok.kind == "punct":
            self.take()
            index = 0
            while True:
                self.skip_newlines()
                if self.at("]"):
                    self.take()
                    return
                self.lines[(*path, index)] = self.peek().line
                self.value((*path, index))
                index += 1
                self.skip_newlines()
                if self.at(","):
                    self.take()
        else:
            # a scalar: one string, or bare words (a date-time may hold a space)
            self.take()
            while self.pos < len(self.toks) and self.peek().kind == "bare":
                self.take()
