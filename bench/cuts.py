"""How every message of the corpus and every text of the catalogs is cut, by the three tokenizers the bot
builds (the intent rules', with the community dictionary and the keywords; the service search's, with the
catalogs' names and synonyms; the plain one that clips texts), in all three ways the bot cuts (tokens
without HMM, tokens, words). Written as one digest per text, so that two versions of the code can be
compared without printing any message:

    python bench/cuts.py write OUT.json        (once with each version of the code, PYTHONPATH set to it)
    python bench/cuts.py compare OLD.json NEW.json

``compare`` names each text cut differently by file and line only (the blind sets are never printed).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def texts() -> Iterator[tuple[str, str]]:
    """(where, text): every tab-separated field of every corpus line, every string of the catalogs."""
    corpus = ROOT / "nlp" / "corpus"
    for path in sorted([*corpus.glob("*.tsv"), *(corpus / "train").glob("*.tsv")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for column, field in enumerate(line.split("\t")):
                if field.strip():
                    yield f"{path.relative_to(ROOT)}:{number}:{column}", field
    import yaml

    services = ROOT / "content" / "services"
    for path in sorted(services.rglob("*.yaml")):
        for number, text in enumerate(_strings(yaml.safe_load(path.read_text(encoding="utf-8")))):
            yield f"{path.relative_to(ROOT)}#{number}", text


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def write(out: Path) -> None:
    from bot.app import classifier
    from bot.config import load_settings
    from handlers.common import formats
    from handlers.services import catalog, search

    catalog.configure(load_settings(None).effective_content_dir)
    search.warm_up(catalog.known_communities())
    tokenizers = {
        "rules": classifier().tokenizer,
        "search": search.tokenizer(),
        "plain": formats._words(),
    }
    digests: dict[str, str] = {}
    started = time.perf_counter()
    count = 0
    for where, text in texts():
        cuts = []
        for tokenizer in tokenizers.values():
            cuts += [tokenizer.tokens(text, hmm=False), tokenizer.tokens(text), tokenizer.words(text)]
            count += 3
        digests[where] = hashlib.sha1(json.dumps(cuts, ensure_ascii=False).encode()).hexdigest()
    seconds = time.perf_counter() - started
    out.write_text(json.dumps(digests, indent=0, sort_keys=True))
    print(f"{len(digests)} texts, {count} cuts in {seconds:.1f} s ({seconds / count * 1e6:.0f} µs a cut)")


def compare(old: Path, new: Path) -> int:
    a, b = json.loads(old.read_text()), json.loads(new.read_text())
    if a.keys() != b.keys():
        print(f"different texts: {len(a.keys() ^ b.keys())}")
        return 1
    differ = sorted(k for k in a if a[k] != b[k])
    print(f"{len(a)} texts, each cut 9 ways: {len(a) - len(differ)} identical, {len(differ)} different")
    for where in differ[:50]:
        print("  ", where)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1] == "write":
        write(Path(sys.argv[2]))
    else:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
