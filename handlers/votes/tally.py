"""Counting a consultation's ballot log, once, at the close; and checking a published result later.

The log is published without names (``public_log``): each ballot's sequence number, its choices, whether it
was recorded by a proxy, and whether it counts (the newest of its slot does). The digest is a SHA-256 chain
over those records in order, so anyone holding the published log can recompute both the digest and the
counts, and any later change to a ballot, or to which ones count, changes the digest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from typing import Any

from handlers.votes.models import Ballot, Consultation, PassRule

GENESIS = "community-bot ballot log v1"
_NEEDS = {
    PassRule.MAJORITY: (Fraction(1, 2), True),  # (share, strictly more than it)
    PassRule.TWO_THIRDS: (Fraction(2, 3), False),
    PassRule.THREE_QUARTERS: (Fraction(3, 4), False),
    PassRule.PLURALITY: (Fraction(0), True),
}


async def public_log(c: Consultation) -> list[dict[str, Any]]:
    """The ballots in order, without who cast them: seq, choices, proxy, counted. The newest ballot of each
    slot counts, unless it is empty: the committee voided that slot (a home taken by someone else)."""
    ballots = await Ballot.filter(consultation=c).order_by("id")
    newest = {}
    for ballot in ballots:
        newest[ballot.slot_id] = ballot
    counted = {b.id for b in newest.values() if b.choices}
    return [
        {
            "seq": seq,
            "choices": list(ballot.choices),
            "proxy": ballot.proxy_by_id is not None,
            "counted": ballot.id in counted,
        }
        for seq, ballot in enumerate(ballots, start=1)
    ]


@dataclass(frozen=True)
class OptionCount:
    label: str
    votes: int
    share: float  # of the ballots counted


@dataclass(frozen=True)
class TallyResult:
    """The result of a close, as published (stored as JSON in ``Consultation.result``)."""

    eligible: int
    turnout: int
    turnout_share: float
    quorum: float
    quorum_met: bool
    rule: str
    options: tuple[OptionCount, ...]
    ballots: int  # every ballot in the log, changed votes included
    proxy_ballots: int
    passed: bool
    winner: int | None  # 0-based option index, only when the quorum is met
    digest: str
    comments: tuple[str, ...] = field(default=())  # published without names

    def with_comments(self, comments: list[str]) -> TallyResult:
        return replace(self, comments=tuple(comments))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["options"] = [asdict(o) for o in self.options]
        data["comments"] = list(self.comments)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TallyResult:
        return cls(
            eligible=int(data["eligible"]),
            turnout=int(data["turnout"]),
            turnout_share=float(data["turnout_share"]),
            quorum=float(data["quorum"]),
            quorum_met=bool(data["quorum_met"]),
            rule=str(data["rule"]),
            options=tuple(
                OptionCount(str(o["label"]), int(o["votes"]), float(o["share"])) for o in data["options"]
            ),
            ballots=int(data["ballots"]),
            proxy_ballots=int(data["proxy_ballots"]),
            passed=bool(data["passed"]),
            winner=None if data["winner"] is None else int(data["winner"]),
            digest=str(data["digest"]),
            comments=tuple(str(c) for c in data.get("comments", ())),
        )

    def matches(self, published: TallyResult) -> bool:
        """The same digest and counts (what ``verify`` checks; comments and the electorate aside)."""
        return all(
            getattr(self, f) == getattr(published, f)
            for f in ("digest", "turnout", "options", "passed", "winner", "ballots")
        )


def digest(log: list[dict[str, Any]]) -> str:
    """The SHA-256 chain over the log's records (canonical JSON), starting from a fixed genesis."""
    link = hashlib.sha256(GENESIS.encode()).hexdigest()
    for record in log:
        canonical = json.dumps(record, sort_keys=True, separators=(",", ":"))
        link = hashlib.sha256(f"{link}{canonical}".encode()).hexdigest()
    return link


def passes(votes: int, cast: int, rule: PassRule) -> bool:
    if cast == 0:
        return False
    share, strictly = _NEEDS[PassRule(rule)]
    got = Fraction(votes, cast)
    return got > share if strictly else got >= share


def counts_from_log(c: Consultation, log: list[dict[str, Any]], eligible: int) -> TallyResult:
    """The result, from the public log alone (so that anyone can do the same)."""
    counted = [r for r in log if r["counted"]]
    turnout = len(counted)
    votes = [sum(1 for r in counted if i in r["choices"]) for i in range(len(c.options))]
    quorum_met = turnout > 0 and Fraction(turnout, max(eligible, 1)) >= Fraction(c.quorum).limit_denominator(
        1000
    )
    winner: int | None = None
    if c.approve_option is not None:
        if passes(votes[c.approve_option], turnout, c.rule):
            winner = c.approve_option
    else:
        top = max(votes) if votes else 0
        leaders = [i for i, v in enumerate(votes) if v == top]
        if len(leaders) == 1 and passes(top, turnout, c.rule):
            winner = leaders[0]
    return TallyResult(
        eligible=eligible,
        turnout=turnout,
        turnout_share=round(turnout / eligible, 4) if eligible else 0.0,
        quorum=c.quorum,
        quorum_met=quorum_met,
        rule=PassRule(c.rule).value,
        options=tuple(
            OptionCount(label, votes[i], round(votes[i] / turnout, 4) if turnout else 0.0)
            for i, label in enumerate(c.options)
        ),
        ballots=len(log),
        proxy_ballots=sum(1 for r in counted if r["proxy"]),
        passed=quorum_met and winner is not None,
        winner=winner if quorum_met else None,
        digest=digest(log),
    )


async def count(c: Consultation, eligible: int) -> TallyResult:
    return counts_from_log(c, await public_log(c), eligible)


async def verify(c: Consultation) -> bool:
    """Does the published result still match the ballot log (its digest and its counts)?"""
    if not c.result:
        return False
    published = TallyResult.from_json(c.result)
    return (await count(c, published.eligible)).matches(published)
