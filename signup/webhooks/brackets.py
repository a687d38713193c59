"""PHP bracket keys (`fields[email][value]`, `a[]`) rebuilt into nested dicts and lists, and walked back to paths."""

import re

# PHP stops at 64 levels; nobody's sign-up form nests deeper than a few, and a limit keeps hostile input cheap.
MAX_DEPTH = 8
MAX_INDEX_DIGITS = 18  # PHP's integer keys stop at PHP_INT_MAX; longer digit runs stay text
SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def split_key(key):
    """Return the parts of a bracket key: `a[b][]` gives ['a', 'b', '']; a key without brackets is one part."""
    head, bracket, _rest = key.partition("[")
    if not bracket or not head:
        return [key]
    parts, position = [head], len(head)
    while position < len(key):
        match = SEGMENT.match(key, position)
        if match is None or len(parts) > MAX_DEPTH:
            return [key]
        parts.append(match.group(1))
        position = match.end()
    return parts


class _Node(dict):
    """A dict being built, which remembers the next free list index as PHP does, so `[]` costs one step."""

    __slots__ = ("next_index",)

    def __init__(self):
        super().__init__()
        self.next_index = 0

    def put(self, key, value):
        self[key] = value
        if key.isascii() and key.isdigit() and len(key) <= MAX_INDEX_DIGITS:
            self.next_index = max(self.next_index, int(key) + 1)

    def append(self, value):
        self.put(str(self.next_index), value)


def _place(root, parts, value):
    node = root
    for part in parts[:-1]:
        if not part:
            node.append(_Node())
            node = node[str(node.next_index - 1)]
            continue
        if not isinstance(node.get(part), _Node):
            node.put(part, _Node())  # a later bracket key wins over an earlier plain value, as in PHP
        node = node[part]
    last = parts[-1]
    if last:
        node.put(last, value)
        return
    for one in value if isinstance(value, list) else [value]:
        node.append(one)


def _listify(node):
    """Turn dicts keyed 0..n-1 into lists, as PHP's sequential arrays arrive."""
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and list(converted) == [str(i) for i in range(len(converted))]:
        return list(converted.values())
    return converted


def nest(flat):
    """Return a form or query dict with its bracket keys rebuilt into nested dicts and lists."""
    root = _Node()
    for key, value in flat.items():
        _place(root, split_key(key), value)
    return {key: _listify(value) for key, value in root.items()}


def walk(value, path="", depth=0):
    """Yield (bracket path, leaf) for every leaf of a nested value; a list of plain values is one leaf."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk(child, f"{path}[{key}]" if path else str(key), depth + 1)
    elif isinstance(value, list) and any(isinstance(child, (dict, list)) for child in value):
        for index, child in enumerate(value):
            yield from walk(child, f"{path}[{index}]", depth + 1)
    else:
        yield path, value
