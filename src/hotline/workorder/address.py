"""Addresses said in a call, kept whole: district, road and crossing, estate, building, unit, room,
shop or landmark (临河区青石路和桃源街路口老码头烧烤门口, 丰泽家园3栋1单元101). A caller often gives
an address in pieces separated by commas; the pieces of one turn are joined. Words are data
(extraction.yaml: address_markers, place_markers, position_markers)."""

from __future__ import annotations

import re

from hotline.model import Address, Call, Speaker
from hotline.workorder.facts import Fact, turn_order
from hotline.workorder.schema import ExtractionCues, load_extraction

_CJK = "\u4e00-\u9fff"
_QUOTES = "“”\"'‘’「」《》"
_CLAUSE = re.compile(r"[^，,。！？!?；;…—\n]+")
_NUMBER = "0-9A-Za-z０-９一二三四五六七八九十零两百幺"
_DATE_LIKE = re.compile(r"[\d一二三四五六七八九十]+月[\d一二三四五六七八九十]+[号日]|(昨|今|前|明)天|[早晚]上|[上下中]午|凌晨|半夜"
                        r"|[0-9一二三四五六七八九十两]+点|星期|礼拜")
# Words that never sit inside an address: a phrase holding one is talk, not a place.
_NOT_ADDRESS = ("我", "你", "他", "她", "还是", "如果", "可以", "反映", "转交", "转到", "公众号", "找", "这个", "那个",
                "什么", "哪", "想", "知道", "说", "讲", "叫", "写着", "问", "没有", "不是", "就是", "一直", "已经", "时候", "这几",
                "那几", "这些", "网站", "重新")
# 在 ending these words is not an intro (现在游泳馆晚上八点关门)
_NOT_INTRO = ("现在", "正在", "还在", "实在", "存在", "所在", "好在", "就在那", "一直在")
# characters that do not begin or fill a place name (so 我家在松岭区 starts the address at 松岭区)
_NAME = f"(?:(?![我你他她们了在到是去找对给跟把吗呢吧啊呀哦嗯就也还又很想要说问请帮这那哪些有])[{_CJK}A-Za-z0-9·“”])"
_LEAD = ("表扬一下", "表扬", "投诉", "举报", "反映", "建议", "一下", "紧挨着", "挨着", "靠着", "靠近", "有个", "有家", "一家", "那家", "这家", "就在", "是在",
         "住在", "位于", "在", "到", "去", "往", "从", "是", "就是", "住")
_TRAIL = ("那一块", "那一片", "那一侧", "那边", "那儿", "这边", "这儿", "一带", "那里", "上", "里")
# words holding a marker that do not name a place (区 in 景区, 市 in 城市, 路 in 路上)
_NOT_DISTRICT = ("景区", "园区", "校区", "市区", "郊区", "辖区", "片区", "保护区", "服务区", "住宅区", "生活区",
                 "城市", "市民", "本市", "全市", "外市", "路上", "街上", "村里", "市里", "区里", "县里")
_HOUSE = ("号", "栋", "幢", "单元", "室")
_POSITION = {"下面": "下", "底下": "下", "旁边": "旁", "里面": "内"}


_compiled: dict[int, tuple[ExtractionCues, re.Pattern[str], re.Pattern[str]]] = {}


def _regexes(cues: ExtractionCues) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The place-phrase pattern and the administrative-marker pattern for these cues (compiled once)."""
    held = _compiled.get(id(cues))
    if held is not None and held[0] is cues:
        return held[1], held[2]
    words = sorted({*cues.address_markers, *cues.place_markers, *cues.position_markers}, key=len, reverse=True)
    markers = "|".join(map(re.escape, words))
    unit = f"{_NAME}{{0,12}}?(?:{markers})"
    number = f"[{_NUMBER}]+(?:号院|号楼|号窗口|号|栋|幢|单元|室|楼|层|床|期)"
    piece = f"(?:{unit}|{number})"
    chain = re.compile(f"{piece}(?:(?:和|与|跟|、|的)?{piece})*(?:\\d{{2,4}}(?![\\d号栋室]))?")
    strong = re.compile("|".join(map(re.escape, sorted(cues.address_markers, key=len, reverse=True))))
    _compiled[id(cues)] = (cues, chain, strong)
    return chain, strong


def _clean(text: str) -> str:
    out = "".join(ch for ch in text if ch not in _QUOTES and ch != " ")
    out = re.sub(r"(路|街|道)上(?=.)", r"\1", out.replace("的", ""))
    for src, dst in _POSITION.items():
        out = out.replace(src, dst)
    for word in _LEAD:
        if out.startswith(word) and len(out) > len(word) + 1:
            out = out[len(word) :]
    for word in _TRAIL:
        if out.endswith(word) and len(out) > len(word) + 2:
            out = out[: -len(word)]
            break
    return out


def _is_place(text: str, cues: ExtractionCues, intro: bool) -> bool:
    """A candidate is a place: it names an administrative area, road or estate, or is a named
    landmark of the city (市体育中心游泳馆) or (after 住在/在…) any named landmark (松鹤颐养院)."""
    _, strong = _regexes(cues)
    if _DATE_LIKE.search(text) or any(w in text for w in _NOT_ADDRESS) or len(text) < 3:
        return False
    if _area_count(text, cues):
        return True
    if text[0] in "整每几多各全半":  # 整栋楼, 多场馆: a quantity, not a name
        return False
    return any(text.find(m, 2) >= 2 for m in cues.place_markers)  # a named place: 松鹤颐养院, 市政务服务中心二楼


def _area_count(text: str, cues: ExtractionCues) -> int:
    """Administrative, road and estate markers with a name before them (not house numbers)."""
    _, strong = _regexes(cues)
    named = text
    for word in _NOT_DISTRICT:
        named = named.replace(word, "＃" * len(word))
    return sum(1 for m in strong.finditer(named) if m.start() >= 1 and m.group(0) not in _HOUSE)


def _candidates(text: str, cues: ExtractionCues, answer: bool = False) -> list[tuple[int, int, bool]]:
    """(start, end, after an intro) of place phrases in one turn, pieces of one turn joined; in an
    ``answer`` to the agent's 在哪里 / 哪个小区 every place counts as introduced."""
    chain, _ = _regexes(cues)
    intros = sorted(cues.address_intro, key=len, reverse=True)
    found: list[tuple[int, int, bool]] = []
    for clause in _CLAUSE.finditer(text):
        for m in chain.finditer(text, clause.start(), clause.end()):
            start = m.start()
            if m.group(0).startswith("家") and start > 0 and text[start - 1] in "那这一哪每几":
                start += 1  # 那家烧烤店: 家 counts the shop, it is not part of its name
            before = text[max(clause.start(), start - 5) : start]
            intro = any(before.endswith(w) for w in intros) or any(m.group(0).startswith(w) for w in intros)
            intro = answer or (intro and not any(before.endswith(w) for w in _NOT_INTRO))
            if _is_place(_clean(text[start : m.end()]), cues, intro):
                found.append((start, m.end(), intro))
    return _join_pieces(text, found, cues)


def _join_pieces(text: str, found: list[tuple[int, int, bool]], cues: ExtractionCues) -> list[tuple[int, int, bool]]:
    """临河区青石路和桃源街路口，老码头烧烤门口 → one address: a piece that fills its own clause joins
    the address before it when only a comma lies between them."""
    out: list[tuple[int, int, bool]] = []
    for start, end, intro in found:
        if out and re.fullmatch(f"[，,、\\s{_QUOTES}]*", text[out[-1][1] : start]):
            out[-1] = (out[-1][0], end, out[-1][2] or intro)
        else:
            out.append((start, end, intro))
    return [(start, _extend(text, end, cues), intro) for start, end, intro in out]


def _extend(text: str, end: int, cues: ExtractionCues) -> int:
    """Following clauses that are bare landmarks or positions (“老码头烧烤”门口, 高架桥底下, 南门口)
    belong to the address."""
    chain, _ = _regexes(cues)
    while True:
        nxt = re.match(f"[{_QUOTES}]*[，,、]\\s*([^，,。！？!?；;…—]{{2,16}})", text[end:])
        if not nxt:
            return end
        piece = nxt.group(1)
        core = next((piece[: -len(t)] for t in _TRAIL if piece.endswith(t) and len(piece) > len(t) + 1), piece)
        if not chain.fullmatch(core) or any(w in piece for w in _NOT_ADDRESS):
            return end
        end += nxt.start(1) + len(core)


def find_addresses(call: Call, cues: ExtractionCues | None = None) -> list[Fact]:
    """Address phrases, the caller's first, scored: administrative levels, estate and house numbers,
    an intro (住在, 地址是, 在…) all add; parsed into levels with jionlp."""
    cues = cues or load_extraction()
    facts: list[Fact] = []
    for i in turn_order(call):
        text = call.turns[i].text
        if call.turns[i].speaker is Speaker.AGENT and not any(w in text for w in cues.agent_confirm):
            continue  # an agent's own directions (到户籍所在的社区) are not the caller's address
        for start, end, intro in _candidates(text, cues, _answers_where(call, i, cues)):
            facts.append(_address_fact(call, i, start, end, intro, cues))
    return _dedupe(facts)


def _answers_where(call: Call, i: int, cues: ExtractionCues) -> bool:
    """The citizen's turn ``i`` answers the agent's question about the place."""
    if call.turns[i].speaker is not Speaker.CITIZEN or i == 0 or call.turns[i - 1].speaker is not Speaker.AGENT:
        return False
    return any(q in call.turns[i - 1].text for q in cues.address_questions)


def _address_fact(call: Call, i: int, start: int, end: int, intro: bool, cues: ExtractionCues) -> Fact:
    said = call.turns[i].text[start:end]
    value = _clean(said)
    address = parse_address(value, call, cues)
    numbered = re.search(r"\d|[一二三四五六七八九十]+[栋号室]", value) is not None
    score = float(_area_count(value, cues) + (2 if intro else 0) + (1 if numbered else 0))
    score += min(len(value), 30) / 15 + (0.5 if call.turns[i].speaker is Speaker.CITIZEN else 0)
    fact = Fact("address", address.full(), i, (start, end), said, call.turns[i].speaker)
    fact.extra = {"address": address, "intro": intro, "score": score}
    return fact


def _dedupe(facts: list[Fact]) -> list[Fact]:
    out: list[Fact] = []
    for f in sorted(facts, key=lambda f: (f.turn_index, f.span[0], -(f.span[1] - f.span[0]))):
        if any(o.turn_index == f.turn_index and o.span[0] <= f.span[0] and f.span[1] <= o.span[1] for o in out):
            continue
        out.append(f)
    return out


def parse_address(text: str, call: Call | None = None, cues: ExtractionCues | None = None) -> Address:
    """Split an address into province/city/district/street/detail. Only the levels the text names
    are kept: a district said on a city's hotline is in that city, whatever other place jionlp knows
    by the same name."""
    from hotline.workorder.nlp import parse_location

    cues = cues or load_extraction()
    clean = re.sub(r"[，、 ]", "", text)
    parsed = parse_location(clean)
    county = parsed.get("county") or ""
    addr = Address()
    pos = clean.find(county) if county else -1
    # a county jionlp knows must start the text or follow a city (城南区 is not 南区)
    addr.district = county if pos >= 0 and county[-1] in "区县旗市" and (pos == 0 or clean[pos - 1] in "省市州盟") else ""
    if not addr.district:
        m = re.match(f"^(?:[{_CJK}]{{2,4}}[省市])?([{_CJK}]{{1,4}}?(?:新区|区|县))", clean)
        addr.district = m.group(1) if m and not m.group(1).endswith(_NOT_DISTRICT + ("小区", "社区")) else ""
    for level in ("province", "city"):
        value = parsed.get(level) or ""
        if value and _stem(value) in clean:
            setattr(addr, level, value)
    if addr.province and addr.province == addr.city:  # 直辖市: 北京市北京市 → 北京市
        addr.province = ""
    town = parsed.get("town") or ""
    addr.street = town if town and town in clean else ""
    addr.detail = _detail_after(clean, [addr.province, addr.city, addr.district, addr.street])
    _fill_home(addr, call, cues)
    return addr


def _stem(name: str) -> str:
    stem = re.sub(r"(省|市|自治区|特别行政区|壮族|回族|维吾尔|自治州|地区|盟|区|县|自治县|旗)$", "", name)
    return stem if len(stem) >= 2 else name


def _detail_after(text: str, parts: list[str]) -> str:
    cut = 0
    for part in parts:
        for cand in (part, _stem(part)) if part else ():
            pos = text.find(cand, cut)
            if pos >= 0:
                cut = pos + len(cand)
                if text[cut : cut + 1] in ("省", "市", "区", "县") and cand != part:
                    cut += 1
                break
    return text[cut:]


def _fill_home(addr: Address, call: Call | None, cues: ExtractionCues) -> None:
    """Complete province/city from the call's metadata or the configured home city when not said."""
    meta = call.meta if call else {}
    if not addr.province:
        addr.province = str(meta.get("province") or cues.home.province or "")
    if not addr.city:
        addr.city = str(meta.get("city") or cues.home.city or "")
