"""The C API reference, read from the public headers ``ext/include/attncore/*.h``.

A small parser for the subset of C99 the headers use (block comments,
``#define``, prototypes, ``static inline`` definitions, ``typedef`` of enums,
structs and scalars) turns each header into reStructuredText for Sphinx's C
domain: the file comment, then every public declaration with the comment
written above it.  Names with a double underscore (``ac_q16__from_bits``) are
private and left out; everything else the headers declare is listed.  A
construct the parser does not know is an error, not a silent gap: the docs
build stops and names the header and the text.

Comments are shown as written (literal blocks): they are plain text with
``*`` and ``^``, not reST.
"""
import pathlib
import re

_IDENT = re.compile(r"[A-Za-z_]\w*")


class HeaderError(Exception):
    """Text in a header that this parser does not understand."""


def _comment_text(raw):
    """Body of a ``/* ... */`` comment without the frame and leading stars."""
    body = raw[2:-2]
    lines = [re.sub(r"^\s*\* ?", "", line) if line.lstrip().startswith("*") else line.strip()
             for line in body.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def _strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def _squash(text):
    return " ".join(_strip_comments(text).split())


def _split_top(text, sep):
    """Split at ``sep`` outside parentheses and braces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _members(body, sep, header):
    """``[(declaration, comment)]`` of an enum (``sep`` ",") or struct (";")
    body: each member with the comment that follows it."""
    out = []
    pattern = re.compile(rf"(/\*.*?\*/)|([^{sep}/]+(?:{sep}|(?=/)|$))", re.S)
    for match in pattern.finditer(body):
        comment, decl = match.groups()
        if comment is not None:
            if not out:
                raise HeaderError(f"{header}: comment before the first member: {comment[:60]!r}")
            prev, note = out[-1]
            out[-1] = (prev, (note + "\n" if note else "") + _comment_text(comment))
        elif decl.strip(f" \n{sep}"):
            out.append((" ".join(decl.strip(f" \n{sep}").split()), ""))
    return out


class Header:
    """One parsed header: ``intro`` (the file comment) and ``items``, a list
    of dicts with ``kind`` (function, macro, enum, struct, type, heading),
    ``names``, ``decls`` (C text, one per name), ``doc`` and ``members``."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.name = f"attncore/{self.path.name}"
        self.intro = ""
        self.items = []
        self._parse(self.path.read_text())

    # -- scanning ---------------------------------------------------------
    def _parse(self, text):
        i, n = 0, len(text)
        pending = None          # comment waiting for a declaration
        blank_since = False     # a blank line since that comment
        group_open = False      # the previous item was a function, no blank line since
        skip_depth = 0          # inside #ifdef __cplusplus
        if_depth = 0
        while i < n:
            if text[i] in " \t":
                i += 1
                continue
            if text[i] == "\n":
                j = i + 1
                while j < n and text[j] in " \t":
                    j += 1
                if j < n and text[j] == "\n":  # a blank line
                    blank_since = True
                    group_open = False
                i += 1
                continue
            if text.startswith("/*", i):
                end = text.find("*/", i)
                if end < 0:
                    raise HeaderError(f"{self.name}: unterminated comment")
                raw = text[i:end + 2]
                i = end + 2
                if skip_depth:
                    continue
                if not self.intro and not self.items and pending is None:
                    self.intro = _comment_text(raw)
                    continue
                if pending is not None and blank_since:
                    self._standalone(pending)
                pending, blank_since, group_open = _comment_text(raw), False, False
                continue
            if text[i] == "#":
                end = i
                while True:
                    end = text.find("\n", end)
                    if end < 0:
                        end = n
                        break
                    if text[end - 1] != "\\":
                        break
                    end += 1
                line = text[i:end].replace("\\\n", " ")
                i = end
                directive = line[1:].split()[0] if line[1:].split() else ""
                if directive in ("if", "ifdef", "ifndef"):
                    if skip_depth:
                        skip_depth += 1
                    elif directive == "ifdef" and line.split()[1:2] == ["__cplusplus"]:
                        skip_depth = 1
                    else:
                        if_depth += 1
                    continue
                if directive == "endif":
                    if skip_depth:
                        skip_depth -= 1
                    else:
                        if_depth -= 1
                    continue
                if skip_depth or directive in ("else", "elif", "include", "error", "pragma"):
                    continue
                if directive == "define":
                    self._macro(line, pending if not blank_since else None)
                    if pending is not None and blank_since:
                        self._standalone(pending)
                    pending, blank_since, group_open = None, False, False
                    continue
                raise HeaderError(f"{self.name}: unknown preprocessor line {line!r}")
            if skip_depth:
                i += 1
                continue
            # a declaration: up to ';' at depth 0, or a function body
            j, depth = i, 0
            while j < n:
                ch = text[j]
                if text.startswith("/*", j):
                    j = text.find("*/", j) + 2
                    continue
                if ch in "([":
                    depth += 1
                elif ch in ")]":
                    depth -= 1
                elif ch == "{":
                    if depth == 0 and _squash(text[i:j]).endswith(")"):
                        body_end = self._skip_braces(text, j)
                        self._declaration(text[i:j], pending if not blank_since else None,
                                          group_open, definition=True)
                        j = body_end
                        break
                    depth += 1
                elif ch == "}":
                    depth -= 1
                elif ch == ";" and depth == 0:
                    self._declaration(text[i:j], pending if not blank_since else None,
                                      group_open)
                    j += 1
                    break
                j += 1
            else:
                raise HeaderError(f"{self.name}: unterminated declaration {text[i:i + 60]!r}")
            if pending is not None and blank_since:
                self._standalone(pending)
            kind = self.items[-1]["kind"] if self.items else None
            group_open = kind == "function"
            pending, blank_since = None, False
            i = j
        if pending is not None:
            self._standalone(pending)
        if skip_depth or if_depth:
            raise HeaderError(f"{self.name}: unbalanced #if/#endif")
        self._drop_empty_headings()

    @staticmethod
    def _skip_braces(text, j):
        depth = 0
        while j < len(text):
            if text.startswith("/*", j):
                j = text.find("*/", j) + 2
                continue
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        raise HeaderError("unbalanced braces")

    # -- items ------------------------------------------------------------
    def _standalone(self, comment):
        """A comment with a blank line after it: a section heading when it
        looks like one (``---- title ----``), else a note."""
        heading = re.fullmatch(r"-+\s*(.*?)\s*-*", comment.strip())
        if heading and "\n" not in comment.strip():
            self.items.append(dict(kind="heading", names=[], decls=[], doc=heading.group(1),
                                   members=[]))
        else:
            self.items.append(dict(kind="note", names=[], decls=[], doc=comment, members=[]))

    def _macro(self, line, doc):
        m = re.match(r"#\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$", line)
        if not m:
            raise HeaderError(f"{self.name}: cannot read {line!r}")
        name, params, value = m.group(1), m.group(2) or "", " ".join(m.group(3).split())
        if re.fullmatch(r"ATTNCORE_\w+_H", name):  # include guard
            return
        for item in self.items:  # defined again under another #if branch
            if item["kind"] == "macro" and item["names"] == [name]:
                item["values"].append(value)
                return
        self.items.append(dict(kind="macro", names=[name], decls=[f"{name}{params}"], doc=doc or "",
                               members=[], values=[value]))

    def _declaration(self, raw, doc, group_open, definition=False):
        decl = _squash(raw)
        if decl.startswith("typedef enum") or decl.startswith("typedef struct"):
            kind = "enum" if decl.startswith("typedef enum") else "struct"
            m = re.fullmatch(r"typedef (?:enum|struct)(?: \w+)? \{(.*)\} (\w+)", decl, re.S)
            body = raw[raw.index("{") + 1:raw.rindex("}")]
            if not m:
                raise HeaderError(f"{self.name}: cannot read {decl[:80]!r}")
            name = m.group(2)
            members = _members(body, "," if kind == "enum" else ";", self.name)
            if kind == "struct":  # `size_t row0, col0;` declares two members
                split = []
                for member, note in members:
                    first = _split_top(member, ",")
                    base = re.match(r"(.*?)(\**\s*\w+)$", first[0].strip())
                    split.append((first[0].strip(), note))
                    split += [(f"{base.group(1).strip()} {extra.strip()}", note)
                              for extra in first[1:]]
                members = split
            self.items.append(dict(kind=kind, names=[name], decls=[name], doc=doc or "",
                                   members=members))
            return
        if decl.startswith("typedef "):
            m = re.fullmatch(r"typedef (.+?) (\w+)", decl)
            if not m:
                raise HeaderError(f"{self.name}: cannot read {decl!r}")
            self.items.append(dict(kind="type", names=[m.group(2)],
                                   decls=[f"{m.group(1)} {m.group(2)}"], doc=doc or "",
                                   members=[]))
            return
        m = re.fullmatch(r"(.*?)\b([A-Za-z_]\w*)\s*\((.*)\)", decl)
        if not m:
            raise HeaderError(f"{self.name}: cannot read declaration {decl[:80]!r}")
        name = m.group(2)
        if "__" in name.strip("_"):
            return  # private helper (second underscore)
        if definition and not m.group(1).strip().startswith("static inline"):
            raise HeaderError(f"{self.name}: a non-inline function body in a header: {name}")
        if group_open and doc is None and self.items and self.items[-1]["kind"] == "function":
            self.items[-1]["names"].append(name)
            self.items[-1]["decls"].append(decl)
            return
        self.items.append(dict(kind="function", names=[name], decls=[decl], doc=doc or "",
                               members=[]))

    def _drop_empty_headings(self):
        kept = []
        for k, item in enumerate(self.items):
            if item["kind"] == "heading":
                following = next((x for x in self.items[k + 1:]
                                  if x["kind"] in ("heading", "function", "macro", "enum",
                                                   "struct", "type")), None)
                if following is None or following["kind"] == "heading":
                    continue
            kept.append(item)
        self.items = kept

    @property
    def names(self):
        return [name for item in self.items for name in item["names"]]

    # -- output -----------------------------------------------------------
    def rst(self):
        out = [self.name, "-" * len(self.name), ""]
        if self.intro:
            out += _literal(self.intro)
        for item in self.items:
            kind = item["kind"]
            if kind == "heading":
                title = item["doc"][:1].upper() + item["doc"][1:]
                out += [f".. rubric:: {title}", ""]
                continue
            if kind == "note":
                out += _literal(item["doc"])
                continue
            if kind == "function":
                pad = " " * len(".. c:function:: ")
                out.append(f".. c:function:: {item['decls'][0]}")
                out += [pad + d for d in item["decls"][1:]]
            elif kind == "macro":
                out.append(f".. c:macro:: {item['decls'][0]}")
            elif kind == "enum":
                out.append(f".. c:enum:: {item['names'][0]}")
            elif kind == "struct":
                out.append(f".. c:struct:: {item['names'][0]}")
            else:
                out.append(f".. c:type:: {item['decls'][0]}")
            out.append("")
            body = []
            if item["doc"]:
                body += _literal(item["doc"])
            if kind == "macro":
                values = [v for v in item["values"]]
                definitions = "\n".join(f"#define {item['decls'][0]} {v}".rstrip()
                                        for v in values)
                if len(values) > 1:
                    body += ["Defined per platform (see the comment above)::", ""]
                    body += ["   " + line for line in definitions.splitlines()] + [""]
                else:
                    body += [".. code-block:: c", "", "   " + definitions, ""]
            for member, note in item["members"]:
                directive = "c:enumerator" if kind == "enum" else "c:member"
                body += [f".. {directive}:: {member}", ""]
                if note:
                    body += ["   " + line for line in " ".join(note.split()).splitlines()]
                    body.append("")
            out += ["   " + line if line else "" for line in body]
        return out


def _literal(text):
    return ["::", ""] + ["   " + line if line else "" for line in text.splitlines()] + [""]


# The order of the reference: foundations first, then Q16.16, then float.
ORDER = ("status.h", "config.h", "q16.h", "convert.h", "q16_elementwise.h", "q16_matmul.h",
         "q16_softmax.h", "attention_masks.h", "q16_attention.h", "q16_linalg.h")


def headers(include_dir):
    """Every public header, in reading order (unlisted ones after, sorted)."""
    paths = {p.name: p for p in sorted(pathlib.Path(include_dir).glob("*.h"))}
    names = [n for n in ORDER if n in paths] + sorted(set(paths) - set(ORDER))
    return [Header(paths[n]) for n in names]


def c_api_rst(include_dir):
    lines = []
    for header in headers(include_dir):
        lines += header.rst() + [""]
    return "\n".join(lines)
