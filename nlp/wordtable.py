"""jieba's dictionary without half a million Python strings, cutting exactly as jieba does.

jieba keeps its dictionary as a dict of every word and every prefix of a word (about 500,000 str keys, a
frequency each, 0 for a prefix only): about 60 MB in a process, and each ``jieba.Tokenizer`` that adds
words of its own needs a copy of the dict (15 MB more each). Here the same entries are packed in numpy:
each of the ~12,000 characters the dictionary uses gets a 15-bit id, and an entry of 1 to 4 characters
(97% of them) becomes one 64-bit integer, a 1 bit and then its ids (an entry of n characters lies in
[2**(15n), 2**(15n+1)): never ambiguous, and a fragment holding a character no entry has, id 0, is a key
no entry has). The packed entries are sorted, with their frequencies beside them; the longer entries
stay a small dict. About 9 MB in all, built once from jieba's ``dict.txt`` (in a child process, a few
seconds) and cached in the temporary directory as jieba caches its own.

``Frequencies`` is what a tokenizer sees as jieba's ``FREQ``: the shared table plus the words it added
itself (``add_word``, ``suggest_freq``), a small dict of its own. ``CompactJieba`` is a
``jieba.Tokenizer`` that finds every word of a block in one vectorised look-up (``get_DAG``) and scores
the routes with the frequencies found (``calc``): the same DAG, the same floating-point sums, so the same
cut as jieba's for any text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from math import log
from pathlib import Path
from typing import Any

import numpy as np

log_ = logging.getLogger(__name__)

VERSION = 2  # of the cache's layout
CHAR_BITS = 15
MAX_IDS = (1 << CHAR_BITS) - 1
PACKED = 4  # entries of at most this many characters are packed
_BMP = 1 << 16
_END = np.uint64(2**64 - 1)  # after the last key: a search never runs off the table
# the keys of the fragments starting at each character, all lengths at once: ids[_WINDOWS] @ _SHIFTS, the
# ids being 1 and then the sentence's (a key starts with a 1 bit above its ids: an id 0 stays in it)
_SHIFTS = np.array(
    [[1 << CHAR_BITS * n for n in range(1, PACKED + 1)]]
    + [[1 << CHAR_BITS * (n - 1 - i) if i < n else 0 for n in range(1, PACKED + 1)] for i in range(PACKED)],
    dtype=np.uint64,
)
_PAD = bytes(2 * (PACKED - 1))


def _windows(n: int) -> np.ndarray:
    """Row k: where the 1 is, then characters k to k + 3 (in the ids that start with the 1)."""
    chars = np.arange(1, n + 1)[:, None] + np.arange(PACKED)
    return np.concatenate([np.zeros((n, 1), dtype=np.intp), chars], axis=1)


_WINDOWS = _windows(512)
_FEW = 48  # up to this many keys, a tokenizer's own entries are looked up one by one (faster than numpy)


class WordTable:
    """jieba's words and their prefixes -> frequency (0: a prefix only), read-only, and their total."""

    def __init__(
        self,
        charmap: np.ndarray,
        keys: np.ndarray,
        freqs: np.ndarray,
        long: dict[str, int],
        total: int,
    ) -> None:
        self.charmap = charmap  # uint16[65536]: a BMP code point -> its id (0: no entry has it)
        self.keys = np.append(keys, _END)  # uint64, sorted: the packed entries
        self.freqs = np.append(freqs, np.uint32(0))  # uint32, beside ``keys``
        self._ids = "".join(map(chr, charmap.tolist()))  # the same, for str.translate: chr(id)
        self.long = long  # what does not pack: 5 characters or more (or a character without an id)
        self.total = total
        self._next_id = int(charmap.max()) + 1
        self._lock = threading.Lock()
        # a short entry outside the packed keys would be missed by the vectorised look-up
        self.packs_all_short = all(len(word) > PACKED for word in long)

    # --- building, caching --------------------------------------------------------------------------

    @classmethod
    def from_frequencies(cls, freq: dict[str, int], total: int) -> WordTable:
        chars = sorted({ch for word in freq for ch in word if ord(ch) < _BMP})
        charmap = np.zeros(_BMP, dtype=np.uint16)
        for i, ch in enumerate(chars[:MAX_IDS], 1):
            charmap[ord(ch)] = i
        ids = charmap.tolist()
        packed: dict[int, int] = {}
        long: dict[str, int] = {}
        for word, f in freq.items():
            key = _pack(word, ids) if len(word) <= PACKED else None
            if key is None:
                long[word] = f
            else:
                packed[key] = f
        keys = np.fromiter(packed, dtype=np.uint64, count=len(packed))
        freqs = np.fromiter(packed.values(), dtype=np.uint32, count=len(packed))
        order = np.argsort(keys)
        return cls(charmap, keys[order], freqs[order], long, total)

    @classmethod
    def load_jieba(cls) -> WordTable:
        """jieba's main dictionary: from the cache when it was built from the same ``dict.txt``, else
        built in a child process that writes the cache. Building it takes half a million strings, whose
        memory a process does not give back (about 50 MB of it stays); loading the cache takes 8 MB."""
        cache = _jieba_cache()
        try:
            return cls.load(cache)
        except Exception:  # none yet, or not readable (another version, a truncated file): build it
            pass
        root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path}
        done = subprocess.run(
            [sys.executable, "-m", "nlp.wordtable", str(cache)], env=env, capture_output=True, text=True
        )
        try:
            return cls.load(cache)
        except Exception as exc:
            log_.warning(
                "jieba's table built in this process (not cached)",
                extra={"path": str(cache), "error": str(exc), "child": done.stderr[-2000:]},
            )
            return cls.build_jieba()

    @classmethod
    def build_jieba(cls) -> WordTable:
        """From jieba's ``dict.txt``, read as jieba reads it (``gen_pfdict``: the same words, prefixes,
        frequencies and total)."""
        jieba = import_jieba()
        with _jieba_dict().open("rb") as f:
            freq, total = jieba.Tokenizer.gen_pfdict(f)
        return cls.from_frequencies(freq, total)

    def save(self, path: Path) -> None:
        """Written aside and renamed: a process loading it never sees half a file."""
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(
                    out,
                    charmap=self.charmap,
                    keys=self.keys[:-1],
                    freqs=self.freqs[:-1],
                    long_words=np.array("\n".join(self.long)),
                    long_freqs=np.fromiter(self.long.values(), dtype=np.uint32, count=len(self.long)),
                    total=np.array(self.total, dtype=np.int64),
                )
            os.chmod(tmp, 0o644)  # readable by other users' processes, as jieba's own cache
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> WordTable:
        with np.load(path, allow_pickle=False) as data:
            words = str(data["long_words"])
            long = dict(zip(words.split("\n") if words else [], data["long_freqs"].tolist(), strict=True))
            return cls(data["charmap"], data["keys"], data["freqs"], long, int(data["total"]))

    # --- looking up ---------------------------------------------------------------------------------

    def pack(self, word: str) -> int | None:
        """``word``'s packed key, or None when it cannot be one (too long, a character without an id)."""
        if not 0 < len(word) <= PACKED:
            return None
        key = 1
        for ch in word.translate(self._ids):  # a character beyond the BMP stays itself: no id
            i = ord(ch)
            if not i or i > MAX_IDS:
                return None
            key = key << CHAR_BITS | i
        return key

    def id_for(self, ch: str) -> int:
        """``ch``'s id, given now if it had none (a word added by a tokenizer); 0 when none can be."""
        code = ord(ch)
        if code >= _BMP:
            return 0
        with self._lock:
            found = int(self.charmap[code])
            if found or self._next_id > MAX_IDS:
                return found
            self.charmap[code] = found = self._next_id
            self._next_id += 1
            self._ids = "".join(map(chr, self.charmap.tolist()))
            return found

    def get(self, word: str) -> int | None:
        key = self.pack(word)
        if key is None:
            return self.long.get(word)
        at = int(self.keys.searchsorted(np.uint64(key)))
        return int(self.freqs[at]) if int(self.keys[at]) == key else None

    def fragments(self, sentence: str) -> np.ndarray | None:
        """The packed keys of the fragments of 1 to 4 characters starting at each character of
        ``sentence`` (row after row: start 0 lengths 1-4, start 1...; past the end, keys no entry has);
        None for a sentence with a character beyond the BMP (never one jieba's cut looks up)."""
        n = len(sentence)
        raw = sentence.translate(self._ids).encode("utf-16-le", "surrogatepass")
        if len(raw) != 2 * n:
            return None
        ids = np.frombuffer(b"\x01\x00" + raw + _PAD, dtype=np.uint16)  # a 1 first: see _SHIFTS
        windows = _WINDOWS[:n] if n <= len(_WINDOWS) else _windows(n)
        return (ids[windows] @ _SHIFTS).ravel()

    def find(self, keys: np.ndarray) -> list[int]:
        """For each key: its frequency, or -1 when the table does not hold it."""
        at = np.searchsorted(self.keys, keys)
        found: list[int] = np.where(self.keys[at] == keys, self.freqs[at], np.int64(-1)).tolist()
        return found


def import_jieba() -> Any:
    """jieba, imported without setuptools' ``pkg_resources``, which it would load only to find its own
    files (8 MB and a third of a second; without it jieba opens them by path)."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # an ImportError for jieba
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


def _jieba_dict() -> Path:
    jieba = import_jieba()
    return Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME


def _jieba_cache() -> Path:
    source = _jieba_dict()
    stat = source.stat()
    tag = hashlib.sha1(f"{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"community-bot-jieba-{VERSION}-{tag}.npz"


def _pack(word: str, ids: list[int]) -> int | None:
    key = 1
    for ch in word:
        code = ord(ch)
        i = ids[code] if code < _BMP else 0
        if not i:
            return None
        key = key << CHAR_BITS | i
    return key


class Frequencies:
    """What a tokenizer sees as jieba's ``FREQ``: the shared table and the entries it set itself."""

    def __init__(self, table: WordTable) -> None:
        self.table = table
        self.own: dict[str, int] = {}  # every entry set here, by word
        self.own_packed: dict[int, int] = {}  # the same, packed, for the vectorised look-up
        self.vectorised = table.packs_all_short  # else get_DAG asks word by word (exact, slower)
        self._own_sorted: np.ndarray | None = None

    def get(self, word: str, default: Any = None) -> Any:
        found = self.own.get(word)
        if found is None:
            found = self.table.get(word)
        return default if found is None else found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return int(found)

    def __setitem__(self, word: str, freq: int) -> None:
        self.own[word] = freq
        key = None
        if len(word) <= PACKED and all(self.table.id_for(ch) for ch in word):
            key = self.table.pack(word)
        if key is not None:
            self.own_packed[key] = freq
        elif len(word) <= PACKED:
            self.vectorised = False

    def own_found(self, keys: np.ndarray) -> list[int]:
        """Where ``keys`` holds entries of this tokenizer's own (sorted once after they change)."""
        if self._own_sorted is None or len(self._own_sorted) != len(self.own_packed) + 1:
            own = np.fromiter(self.own_packed, dtype=np.uint64, count=len(self.own_packed))
            self._own_sorted = np.append(np.sort(own), _END)
        at = np.searchsorted(self._own_sorted, keys)
        return np.flatnonzero(self._own_sorted[at] == keys).tolist()

    def __iter__(self) -> Iterator[str]:
        raise TypeError("jieba's table is not listed word by word")

    def long(self, word: str) -> int | None:
        found = self.own.get(word)
        return self.table.long.get(word) if found is None else found


class Dag(dict[int, list[int]]):
    """jieba's DAG (start -> ends of the words found there) and the frequency of each of those words."""

    __slots__ = ("freqs",)

    def __init__(self) -> None:
        super().__init__()
        self.freqs: dict[int, list[int]] = {}


def compact_jieba(table: WordTable) -> Any:
    """A ``jieba.Tokenizer`` over ``table``."""
    jieba = import_jieba()

    class CompactJieba(jieba.Tokenizer):  # type: ignore[name-defined]  # jieba: untyped, imported here
        def __init__(self) -> None:
            super().__init__()
            self.FREQ = Frequencies(table)
            self.total = table.total
            self.initialized = True

        def get_DAG(self, sentence: str) -> dict[int, list[int]]:
            freq: Frequencies = self.FREQ
            if not freq.vectorised or not sentence:
                return super().get_DAG(sentence)
            keys = freq.table.fragments(sentence)
            if keys is None:
                return super().get_DAG(sentence)
            freqs = freq.table.find(keys)
            own = freq.own_packed
            if own:  # this tokenizer's own entries, over the table's
                if len(keys) <= _FEW:
                    listed = keys.tolist()
                    if not own.keys().isdisjoint(listed):
                        for j, key in enumerate(listed):
                            mine = own.get(key)
                            if mine is not None:
                                freqs[j] = mine
                else:
                    for j in freq.own_found(keys):
                        freqs[j] = own[int(keys[j])]
            n = len(sentence)
            dag = Dag()
            for k in range(n):
                ends: list[int] = []
                fs: list[int] = []
                length = 0
                for length in range(1, min(PACKED, n - k) + 1):
                    f = freqs[PACKED * k + length - 1]
                    if f < 0:  # no entry: nor any longer one here (every prefix of an entry is one)
                        length = 0
                        break
                    if f:
                        ends.append(k + length - 1)
                        fs.append(f)
                if length == PACKED:  # a longer word may start here
                    i = k + PACKED
                    while i < n:
                        found = freq.long(sentence[k : i + 1])
                        if found is None:
                            break
                        if found:
                            ends.append(i)
                            fs.append(found)
                        i += 1
                if not ends:
                    ends, fs = [k], [1]  # jieba: the character alone, scored as frequency 1
                dag[k] = ends
                dag.freqs[k] = fs
            return dag

        def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict[int, Any]) -> None:
            freqs = getattr(DAG, "freqs", None)
            if freqs is None:
                super().calc(sentence, DAG, route)
                return
            n = len(sentence)
            route[n] = (0, 0)
            logtotal = log(self.total)
            for idx in range(n - 1, -1, -1):
                pairs = zip(DAG[idx], freqs[idx], strict=True)
                route[idx] = max((log(f) - logtotal + route[x + 1][0], x) for x, f in pairs)

    return CompactJieba()


if __name__ == "__main__":  # the child process of ``WordTable.load_jieba``: python -m nlp.wordtable PATH
    WordTable.build_jieba().save(Path(sys.argv[1]))
