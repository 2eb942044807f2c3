"""Understanding a message: exact rules for what is exact, the trained model for what people mean.

1. **Emergencies first.** When the model gives "emergency" at least ``EMERGENCY_AT`` (a low bar: a missed
   emergency costs far more than a question too many), or the message holds a danger signal of
   ``content/emergency.yaml`` (困人, 起不来, 着火...) that no hedge (怕, 担心, 演练...) softens, the message
   is an emergency, whatever else it says.
2. **Rules, when the message is one.** The keyword rules (``content/intents.yaml``: 我的报修, 催办, 投票,
   帮助, 人工...) decide only a short message (at most ``SHORT`` characters once greetings and punctuation
   are gone) or one that starts with a command word; a keyword buried in a long message never decides it
   ("我不想取消这个报修" is not 取消).
3. **The model for the rest.** Its label becomes a workflow's intent; when it is sure (``SURE``), or
   unsure but the rules' keywords point the same way, the bot goes there. In the uncertain band it
   offers the two best ("您是想 1 报修 2 投诉"), and below it the bot says it did not understand rather
   than guess.
4. **Rules refine the model's label** where the label covers several intents: a status question about a
   wish is 我的心愿, with 催 it is 催办; a service question about opening hours is 办公时间; thanks are
   thanks and not a greeting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nlp.intents import Classification, IntentClassifier, IntentSpec
from nlp.model import IntentModel, Prediction, fold_numbers, strip_openings
from nlp.tokenize import Tokenizer, normalize, strip_punctuation

EMERGENCY_AT = 0.35
HABITUAL_SURE = 0.6  # the model's emergency probability that trouble told as habitual still needs
SURE = 0.55
UNSURE_FLOOR = 0.25  # below this for the best label: not understood
SHORT = 6
# Classifications kept for repeated messages: about 2 KB each. Longer messages rarely come twice.
MEMO_SIZE = 2048
MEMO_LONGEST = 32
# what the rules may decide in a long message that starts with one of its keywords: commands and lookups,
# never the content of a request (报修..., 投诉..., 心愿... at the start of a long message is the model's)
COMMAND_INTENTS = frozenset(
    {
        "my_tickets",
        "urge",
        "my_wishes",
        "wish_board",
        "help",
        "cancel",
        "human",
        "bind",
        "my_info",
        "link_mp",
        "invite",
        "office_hours",
    }
)

# the account tried out: "试一下这个能不能用", "测试下好不好使"
TRYING_IT = re.compile(
    r"^(?:我)?(?:试一?下|试试|测试一?下?)(?:这个|看看|你们)?(?:能不能用|好不好使|好不好用|管不管用|有没有用|灵不灵)"
)

# help asked of volunteers, or a wish named: a wish, whatever else the words are about ("那发个心愿嘛",
# "想请社区志愿者帮忙换一个", "想找两个志愿者周末帮忙把我抬下楼"); not "我想当志愿者"
# a wish asked for by its name ("我想为我母亲发个微心愿。她住…每个月要去社区卫生服务站拿药"): a wish, whatever
# the rest of a long message sounds like to the model
# "发个心愿", and 许愿 itself ("可以这样许愿不"; not "也许愿意")
WISH_NAMED = re.compile(
    r"(?:发|许|提|报|登记|写|申请)(?:一?个|一下|啥子?|什么)?(?:这个)?(?:微)?心愿|(?<![也或])许(?:一?个|一下|下)?愿(?!意)"
)
WISH_ASKED = re.compile(
    WISH_NAMED.pattern  # "微心愿会有人上门…吗":
    + r"|心愿(?!墙).{0,4}(?<!我)(?:能|可以|会|能不能|可不可以)(?:有人|找人|帮我|帮忙)"
    r"|(?:找|揾|要|请|有没有|派|来|希望能?有|能有)\S{0,6}(?:志愿者|义工|年轻人|大学生)"
    r".{0,16}(?:帮|陪|来|上门|给|背|抬|扶|教|辅导|看)"
    # "想找人帮忙买点菜 一周两次就行"
    r"|(?:想|希望|能不能|可不可以)找(?:个|几个|两个)?人帮(?:忙|我)?\S{0,3}?(?:买|送|拿|取|陪|接|扶|背|抬|打扫|做饭|跑腿)"
)

# told as having happened again and again ("我在电梯里卡住过好几次"): not someone inside now
_MANY_TIMES = re.compile(r"[几两三四五六七八九十]+(?:次|回)")
# pictures beside words: read the words ("早上好🌞", "你好👋"); a picture alone is the model's (👍)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d\u2b00-\u2bff]+")

# the model's label -> the intent a workflow answers (refined by the rules below)
LABEL_INTENT: Mapping[str, str] = {
    "emergency": "emergency",
    "repair": "repair",
    "complaint": "complaint",
    "wish": "wish",
    "volunteer": "wish_board",
    "vote": "vote",
    "propose": "propose",
    "service": "service",
    "notice": "notices",
    "status": "my_tickets",
    "bind": "bind",
    "human": "human",
    "smalltalk": "chitchat",
    "out_of_scope": "out_of_scope",
    "activity": "activity",
    "survey": "survey",
}
# what "您是想 1 … 2 …" may offer: workflows, not small talk or things the bot does not do
OFFERABLE = frozenset(LABEL_INTENT.values()) - {"chitchat", "out_of_scope"}
# rule intents that may refine a label ("status" said about a wish is my_wishes)
REFINES: Mapping[str, frozenset[str]] = {
    "status": frozenset({"my_tickets", "urge", "my_wishes"}),
    "service": frozenset({"office_hours", "my_grid_worker"}),
    "smalltalk": frozenset({"thanks", "greet"}),  # else chitchat (哈哈, 👍, 好的)
    "volunteer": frozenset({"wish_board"}),
}


@dataclass(frozen=True)
class Understood(Classification):
    """A ``Classification`` (what the dispatcher reads) with the model's view of it."""

    label: str | None = None
    probability: float = 0.0
    emergency: bool = False
    signal: bool = False  # a danger signal (content/emergency.yaml) in the words, not only the model
    source: str = "rule"  # rule, model, none
    prediction: Prediction | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EmergencySignals:
    """Words that mean danger to life, checked under the model (content/emergency.yaml)."""

    patterns: Sequence[re.Pattern[str]] = ()
    hedges: re.Pattern[str] | None = None
    hedges_after: re.Pattern[str] | None = None  # "着火了都跑不出去": what would follow, not what is
    floor: float = 0.01
    ordinary: re.Pattern[str] | None = None  # a thing broken, not a danger: only a signal makes it one
    inside: re.Pattern[str] | None = None  # "电梯没有人关在里面": a signal that denies itself
    reported: re.Pattern[str] | None = None  # "新闻上看到的": told of, not happening here (model only)
    what_if: tuple[re.Pattern[str], re.Pattern[str]] | None = None  # "充电的时候着火了怎么办": a question
    habitual: re.Pattern[str] | None = None  # "老是…": told as habitual (model only, unsure, with no "now")
    now: re.Pattern[str] | None = None
    inside_now: re.Pattern[str] | None = None  # "我在3栋电梯里": the one writing is where the danger is

    def trapped(self, text: str) -> bool:
        """The writer inside, now, with a signal in the words ("我在5栋1单元的电梯里，停在半中间了，门打不开，
        我还好，不着急"): an emergency however calm the words, which the model reads as a report."""
        inside = self.inside_now is not None and self.inside_now.search(text) is not None
        return inside and not _MANY_TIMES.search(text) and self.found_in(text)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> EmergencySignals:
        signals = data.get("signals") or []
        hedges = str(data.get("hedges") or "")
        after = str(data.get("hedges_after") or "")
        ordinary = str(data.get("ordinary") or "")
        inside = str(data.get("hedges_inside") or "")
        reported = str(data.get("reported") or "")
        if_before, if_after = str(data.get("what_if_before") or ""), str(data.get("what_if_after") or "")
        habitual, now = str(data.get("habitual") or ""), str(data.get("now") or "")
        inside_now = str(data.get("inside_now") or "")
        return cls(
            patterns=tuple(re.compile(str(p)) for p in signals),  # type: ignore[attr-defined]
            hedges=re.compile(f"({hedges})$") if hedges else None,
            hedges_after=re.compile(f"^({after})") if after else None,
            floor=float(data.get("signal_floor", 0.01)),  # type: ignore[arg-type]
            ordinary=re.compile(ordinary) if ordinary else None,
            inside=re.compile(inside) if inside else None,
            reported=re.compile(reported) if reported else None,
            what_if=(re.compile(f"({if_before})$"), re.compile(f"^({if_after})"))
            if if_before and if_after
            else None,
            habitual=re.compile(habitual) if habitual else None,
            now=re.compile(now) if now else None,
            inside_now=re.compile(inside_now) if inside_now else None,
        )

    def habitual_in(self, text: str) -> bool:
        """Trouble told as habitual, with no word of now ("楼下那家老是拿棍子捅天花板")."""
        if self.habitual is None or not self.habitual.search(text):
            return False
        return self.now is None or not self.now.search(text)

    def mentioned_in(self, text: str) -> bool:
        """Danger words, hedged or not: without ``found_in``, only as a fear, a question or a denial ("我真的
        怕着火", "充电的时候着火了怎么办")."""
        return any(p.search(text) for p in self.patterns)

    def asked_what_if(self, text: str) -> bool:
        """A danger word with "what then" right after it ("着火了咋办？"): in the middle of an answer to a
        step, a question about what could happen, not a call for help."""
        if self.what_if is None:
            return False
        return any(
            self.what_if[1].search(text[hit.end() : hit.end() + 10])
            for pattern in self.patterns
            for hit in pattern.finditer(text)
        )

    def found_in(self, text: str) -> bool:
        for pattern in self.patterns:
            for hit in pattern.finditer(text):
                before = text[max(0, hit.start() - 6) : hit.start()]
                after = text[hit.end() : hit.end() + 10]
                if self.hedges is not None and self.hedges.search(before):
                    continue
                if self.inside is not None and self.inside.search(hit.group()):
                    continue
                if (
                    self.what_if is not None
                    and self.what_if[0].search(before)
                    and self.what_if[1].search(after)
                ):
                    continue
                if self.hedges_after is None or not self.hedges_after.search(after):
                    return True
        return False


class Understanding:
    def __init__(
        self, rules: IntentClassifier, model: IntentModel, signals: EmergencySignals | None = None
    ) -> None:
        self.rules = rules
        self.model = model
        self.signals = signals or EmergencySignals()
        self._memo: dict[str, Understood] = {}  # most recently used last (no cycle back to self)
        # the command words a long message may start with (longest first), for one C-speed startswith
        self._command_starts = tuple(
            sorted(
                {
                    k
                    for name in COMMAND_INTENTS
                    if name in rules.specs
                    for k in rules.specs[name].keywords
                    if len(k) >= 2
                },
                key=len,
                reverse=True,
            )
        )

    # what the menu and the "did you mean" need, as the rules' intents have labels
    @property
    def specs(self) -> Mapping[str, IntentSpec]:
        return self.rules.specs

    @property
    def tokenizer(self) -> Tokenizer:
        return self.rules.tokenizer

    def label(self, intent: str) -> str:
        return self.rules.label(intent)

    def classify(self, text: str) -> Understood:
        """What ``text`` asks for. Short messages (是的, 取消, 谢谢, a service question) come again and again,
        and the answer depends on nothing but the words, so the recent ones are kept."""
        if len(text) > MEMO_LONGEST:
            return self._classify(text)
        memo = self._memo
        found = memo.pop(text, None)
        if found is None:
            found = self._classify(text)
            if len(memo) >= MEMO_SIZE:
                del memo[next(iter(memo))]  # the least recently used
        memo[text] = found
        return found

    def _classify(self, text: str) -> Understood:
        normal = normalize(text)
        normal = _EMOJI.sub(" ", normal).strip() or normal  # "早上好🌞" is 早上好; 👍 alone is 👍
        stripped = strip_openings(normal)
        bare = strip_punctuation(stripped)
        prediction = self.model.predict_cleaned(fold_numbers(stripped))
        p_emergency = prediction.probability_of("emergency")
        if p_emergency >= self.signals.floor or self.signals.trapped(normal):
            signal = self.signals.found_in(normal)
            ordinary = self.signals.ordinary is not None and self.signals.ordinary.search(normal)
            told = self.signals.reported is not None and self.signals.reported.search(normal) is not None
            told = told or (p_emergency < HABITUAL_SURE and self.signals.habitual_in(normal))
            # or the words the model read, hedged
            reported = told or (not signal and self.signals.mentioned_in(normal))
            if signal or (p_emergency >= EMERGENCY_AT and not ordinary and not reported):
                return self._model("emergency", prediction, emergency=True, signal=signal)
        if prediction.label == "emergency":  # danger set aside ("楼下水管爆了": no one at risk): what else
            prediction = prediction.without("emergency")
        if TRYING_IT.match(bare):  # "试一下这个能不能用": the account tried out, nothing asked of it
            return Understood(
                "chitchat", 0, ("chitchat",), label="smalltalk", source="rule", prediction=prediction
            )
        best, p = prediction.label, prediction.probability
        if best not in ("wish", "status") and WISH_NAMED.search(normal):
            return self._model("wish", prediction)
        if LABEL_INTENT[best] == "wish_board" and WISH_ASKED.search(normal):  # help asked, not offered
            return self._model("wish", prediction)
        short = len(bare) <= SHORT
        if not short and p >= SURE and best not in REFINES and not bare.startswith(self._command_starts):
            return self._model(LABEL_INTENT[best], prediction)  # the rules could change nothing here
        rule = self.rules.classify(stripped)  # jieba: only when the rules may matter
        if rule.intent is None and not rule.ambiguous and (len(bare) == 1 or bare.isascii()) and bare:
            # "1", "啊？", "12", "?": nothing to understand outside a dialog (an emoji alone is the model's)
            return Understood(None, label=best, source="none", prediction=prediction)
        if self._rule_decides(bare, rule):
            return Understood(
                rule.intent,
                rule.score,
                rule.candidates,
                rule.tokens,
                label=best,
                probability=p,
                source="rule",
                prediction=prediction,
            )
        if p >= SURE or (p >= UNSURE_FLOOR and self._refined(best, rule) == rule.intent):
            # sure, or unsure but the rules' keywords point the same way: two signals agree
            return self._model(self._refined(best, rule), prediction)
        second, _ = prediction.runner_up
        if p >= UNSURE_FLOOR and LABEL_INTENT[best] != LABEL_INTENT[second]:
            pair = (self._refined(best, rule), self._refined(second, rule))
            if "wish" in pair and WISH_ASKED.search(normal):  # "想请社区志愿者帮忙换一个": no doubt left
                return self._model("wish", prediction)
            if OFFERABLE.issuperset(pair):
                return Understood(
                    None, 0, pair, label=best, probability=p, source="model", prediction=prediction
                )
            # "您是想 1 闲聊 2 其他事项" helps nobody: the better reading it is
        if p >= UNSURE_FLOOR:
            return self._model(self._refined(best, rule), prediction)
        return Understood(None, label=best, probability=p, source="none", prediction=prediction)

    def _model(
        self, intent: str, prediction: Prediction, *, emergency: bool = False, signal: bool = False
    ) -> Understood:
        return Understood(
            intent,
            0,
            (intent,),
            label=prediction.label,
            probability=prediction.probability,
            emergency=emergency,
            signal=signal,
            source="model",
            prediction=prediction,
        )

    def _rule_decides(self, bare: str, rule: Classification) -> bool:
        """A rule decides a short message, or one that starts with a keyword of the intent it found."""
        if rule.intent is None and not rule.ambiguous:
            return False
        if len(bare) <= SHORT:
            return True
        if rule.intent not in COMMAND_INTENTS:
            return False
        own = self.rules.specs[rule.intent].keywords
        return any(bare.startswith(k) for k in own if len(k) >= 2)

    def _refined(self, label: str, rule: Classification) -> str:
        allowed = REFINES.get(label, frozenset())
        if rule.intent in allowed:
            return rule.intent
        found = [c for c in rule.candidates if c in allowed]
        return found[0] if len(found) == 1 else LABEL_INTENT[label]
