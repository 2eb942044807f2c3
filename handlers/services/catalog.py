"""The public-service catalog (社区公共服务指导目录): the default in content/services/catalog.yaml,
changed per community by content/services/communities/<code>.yaml (shipped) and by
<CONTENT_DIR>/services/<code>.yaml (the deployment's own), in that order. Loaded once per process and
again on ``reload()``; a catalog with errors is refused and the one in use stays."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import content

log = logging.getLogger(__name__)

REQUIRED = ("name", "line", "what", "who", "where", "when", "phone", "steps", "synonyms")
TEXT_FIELDS = ("name", "line", "what", "who", "where", "when", "phone", "link")
LIST_FIELDS = ("documents", "steps", "synonyms")
OFFICE = "office"
_PHONE = re.compile(
    r"^(?:1[3-9]\d{9}"  # mobile
    r"|0\d{2,3}-?\d{7,8}"  # landline with its area code
    r"|1\d{2}|12\d{3}|9\d{4}"  # 110 / 120, 12345 / 12348, 95598 / 96110
    r"|400-?\d{3}-?\d{4})$"
)
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    line: str
    what: str
    who: str
    documents: tuple[str, ...]
    where: str
    when: str
    phone: str
    steps: tuple[str, ...]
    link: str
    synonyms: tuple[str, ...]


Span = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    phone: str
    hours: dict[str, tuple[Span, ...]]  # weekdays, saturday, sunday
    duty_phone: str


@dataclass(frozen=True)
class Catalog:
    community: str
    lines: dict[str, str]
    office: Office
    entries: dict[str, Entry]

    def resolved(self, entry: Entry) -> Entry:
        """The entry with ``office`` in where / when / phone replaced by the community's own."""
        return replace(
            entry,
            where=(self.office.address or self.office.name) if entry.where == OFFICE else entry.where,
            when=content.text("services.office_hours_word") if entry.when == OFFICE else entry.when,
            phone=self.office.phone if entry.phone == OFFICE else entry.phone,
        )


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    error: bool = True

    def __str__(self) -> str:
        return f"{'error' if self.error else 'warning'}: {self.where}: {self.message}"


class CatalogError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# -- loading -----------------------------------------------------------------------------------------
_local_dir: Path | None = None
_cache: dict[str, Catalog] = {}
_lock = threading.Lock()


def configure(local_dir: str | Path | None) -> None:
    """Where the deployment's own changes live (<CONTENT_DIR>/services/<code>.yaml)."""
    global _local_dir
    wanted = Path(local_dir) if local_dir else None
    if wanted != _local_dir:  # the same place again (another app in this process): keep what is loaded
        _local_dir = wanted
        _cache.clear()


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as fh:
        data = content.read_yaml(fh) or {}
    if not isinstance(data, dict):
        raise CatalogError([Problem(str(path), "not a mapping")])
    return data


def sources(code: str, local: bool = True) -> list[Path]:
    """The files that make a community's catalog, in the order they apply (``local``: with the
    deployment's own)."""
    found = [content.path("services/catalog.yaml"), content.path(f"services/communities/{code}.yaml")]
    if local and _local_dir is not None:
        found.append(_local_dir / "services" / f"{code}.yaml")
    return found


def build(code: str, local: bool = True) -> tuple[Catalog, list[Problem]]:
    """Merge and check a community's catalog; problems are returned, not raised."""
    base, *changes = sources(code, local)
    data = copy.deepcopy(_read(base))
    for path in changes:
        change = _read(path)
        if "office" in change:
            data["office"] = {**data.get("office", {}), **change["office"]}
        for key, fields in (change.get("entries") or {}).items():
            data["entries"][key] = {**data["entries"].get(key, {}), **(fields or {})}
        for key in change.get("remove") or []:
            data["entries"].pop(key, None)
    problems: list[Problem] = []
    lines = {str(k): str(v) for k, v in (data.get("lines") or {}).items()}
    office = _office(data.get("office") or {}, problems)
    entries = {}
    for key, fields in (data.get("entries") or {}).items():
        entry = _entry(str(key), fields or {}, lines, problems)
        if entry is not None:
            entries[entry.key] = entry
    _duplicates(entries, problems)
    return Catalog(code, lines, office, entries), problems


def _office(raw: dict[str, Any], problems: list[Problem]) -> Office:
    hours: dict[str, tuple[Span, ...]] = {}
    for day in ("weekdays", "saturday", "sunday"):
        spans = []
        for text in raw.get("hours", {}).get(day) or []:
            match = _HOURS.match(str(text))
            if match is None:
                problems.append(Problem(f"office.hours.{day}", f"{text!r} is not HH:MM-HH:MM"))
                continue
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            spans.append((dt.time(h1, m1), dt.time(min(h2, 23), m2 if h2 < 24 else 59)))
        hours[day] = tuple(spans)
    for name in ("phone", "duty_phone"):
        phone = str(raw.get(name) or "")
        if phone and not _PHONE.match(phone):
            problems.append(Problem(f"office.{name}", f"{phone!r} is not a phone number"))
    return Office(
        name=str(raw.get("name") or ""),
        address=str(raw.get("address") or ""),
        phone=str(raw.get("phone") or ""),
        hours=hours,
        duty_phone=str(raw.get("duty_phone") or ""),
    )


def _entry(key: str, raw: dict[str, Any], lines: dict[str, str], problems: list[Problem]) -> Entry | None:
    missing = [f for f in REQUIRED if not raw.get(f)]
    if missing:
        problems.append(Problem(f"entries.{key}", f"missing {', '.join(missing)}"))
        return None
    if raw["line"] not in lines:
        problems.append(Problem(f"entries.{key}.line", f"unknown line {raw['line']!r}"))
    phone = str(raw["phone"])
    if phone != OFFICE and not _PHONE.match(phone):
        problems.append(Problem(f"entries.{key}.phone", f"{phone!r} is not a phone number"))
    link = str(raw.get("link") or "")
    if link and not link.startswith("https://"):
        problems.append(Problem(f"entries.{key}.link", "links must be https://"))
    return Entry(
        key=key,
        name=str(raw["name"]),
        line=str(raw["line"]),
        what=str(raw["what"]),
        who=str(raw["who"]),
        documents=tuple(str(d) for d in raw.get("documents") or ()),
        where=str(raw["where"]),
        when=str(raw["when"]),
        phone=phone,
        steps=tuple(str(s) for s in raw["steps"]),
        link=link,
        synonyms=tuple(str(s) for s in raw["synonyms"]),
    )


def _duplicates(entries: dict[str, Entry], problems: list[Problem]) -> None:
    names: dict[str, str] = {}
    for entry in entries.values():
        if entry.name in names:
            problems.append(Problem(f"entries.{entry.key}.name", f"same name as {names[entry.name]}"))
        names[entry.name] = entry.key
    owners: dict[str, str] = {}
    for entry in entries.values():
        for word in entry.synonyms:
            if word in owners and owners[word] != entry.key:
                problems.append(
                    Problem(
                        f"entries.{entry.key}.synonyms", f"{word!r} also names {owners[word]}", error=False
                    )
                )
            owners.setdefault(word, entry.key)


def known_communities() -> list[str]:
    """The default ("_default", for people not bound yet), every community with a file of changes, and
    every community loaded so far."""
    codes = {"_default", *_cache}
    for folder in (content.path("services/communities"), _local_dir / "services" if _local_dir else None):
        if folder is not None and folder.is_dir():
            codes.update(p.stem for p in folder.glob("*.yaml"))
    return sorted(codes)


def catalog(code: str) -> Catalog:
    """The community's catalog as loaded (built on first use)."""
    found = _cache.get(code)
    if found is not None:
        return found
    with _lock:
        if code not in _cache:
            built, problems = build(code)
            errors = [p for p in problems if p.error]
            if errors:
                # the deployment's own file is broken (and no catalog is in use yet): serve the shipped one
                # rather than none, and say so; `community-bot content check` shows the same errors
                log.error(
                    "catalog has errors, using the shipped one",
                    extra={"community": code, "problems": [str(p) for p in errors]},
                )
                built, problems = build(code, local=False)
                errors = [p for p in problems if p.error]
                if errors:
                    raise CatalogError(errors)
            _cache[code] = built
        return _cache[code]


def reload(codes: list[str]) -> list[Problem]:
    """Build the catalogs of ``codes`` again; when any has errors nothing changes and the errors are
    returned. Returns [] (or only warnings) when the new catalogs are in use."""
    fresh: dict[str, Catalog] = {}
    problems: list[Problem] = []
    for code in codes:
        built, found = build(code)
        problems += [replace(p, where=f"{code}: {p.where}") for p in found]
        fresh[code] = built
    if any(p.error for p in problems):
        log.error("catalog reload refused", extra={"problems": [str(p) for p in problems if p.error]})
        return problems
    with _lock:
        _cache.clear()
        _cache.update(fresh)
    from handlers.services import search  # the indexes follow the catalogs

    search.forget()
    log.info("catalog reloaded", extra={"communities": codes})
    return problems
