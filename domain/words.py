"""Chinese words: how text is cut into words, for search and for anything else that needs it.

Text is first made comparable (full-width to half-width, lower case, traditional characters to
simplified through OpenCC, so 路燈 is 路灯), then cut into words by jieba with a user dictionary
of the site's own terms: common civic words (路灯, 充电桩, 加装电梯…) and the names the admins
enter (categories, venues, regions, synonyms). Without it jieba's own dictionary cuts 路灯不亮 into
路/灯不亮 and the lamp is lost. jieba runs without its HMM, so a stretch it does not know stays a
run of single characters, which is kept together as one word (区路 in a query is one word, and it is
not a word of 小区路灯, whose words are 小区 and 路灯).

jieba builds its prefix dictionary on first use (about half a second), so the tokenizer is built
once per process, lazily, on the first call that needs it; importing this module costs nothing.
"""
import re
import threading
import time
import unicodedata

# Han (with extensions and compatibility ideographs), kana and hangul: scripts written without spaces.
CJK = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_PIECES = re.compile(rf"([{CJK}]+)|((?:(?![{CJK}])[^\W_])+)")
_HAS_CJK = re.compile(f"[{CJK}]")


# What voice input (iOS dictation, the microphone key of Chinese keyboards) ends a sentence with.
SENTENCE_MARKS = "。．.？?！!"


def without_end_mark(text, keep=""):
    """`text` without surrounding spaces and the sentence mark dictation adds at its end (issue 14);
    marks in `keep` stay."""
    marks = "".join(mark for mark in SENTENCE_MARKS if mark not in keep)
    return (text or "").strip().rstrip(marks).strip()


def _listed(text):
    return tuple(text.split())


# The words residents use about their streets and buildings, that jieba's own dictionary lacks or
# cuts badly. Admin-entered names join them at run time (site_terms).
CIVIC_WORDS = (
    "路灯 街灯 灯杆 充电桩 充电口 飞线充电 电动车 电瓶车 加装电梯 电梯 楼道 楼道灯 声控灯 下水道 排水沟 "
    "排水 污水 化粪池 窨井盖 井盖 漏水 渗水 积水 停水 停电 自来水 水压 燃气 天然气 暖气 "
    "停车 停车位 车位 停车场 占道 乱停车 僵尸车 共享单车 垃圾 垃圾桶 垃圾分类 垃圾清运 垃圾站 "
    "卫生 保洁 绿化 草坪 树木 修剪 噪音 扰民 广场舞 油烟 异味 围墙 护栏 路面 坑洼 破损 "
    "修路 硬化 路面硬化 减速带 斑马线 红绿灯 公交 公交站 站台 小区 老旧小区 物业 物业费 业主 "
    "楼栋 单元 门禁 监控 消防 消防通道 安全隐患 违建 违章建筑 养老 老年食堂 幼儿园 "
    "卫生室 医保 社保 低保 健身器材 文化广场 农田 灌溉 沟渠 水渠 堰塘 村道 便民"
)
CIVIC_WORDS = _listed(CIVIC_WORDS)

# Words jieba's own dictionary holds that cut across a civic word (路灯不亮 → 路/灯不亮).
NOT_WORDS = ("灯不亮", "灯坏", "车难", "舞太吵", "水不通")

# Particles, pronouns and filler that say how someone speaks, not what about; dropped from queries.
STOP_WORDS = frozenset(_listed(
    "了 的 地 得 吗 呢 吧 啊 呀 嘛 哦 哈 么 啦 咯 喽 太 很 挺 真 都 也 还 又 再 就 才 在 是 有 和 与 及 或 "
    "被 把 给 让 对 从 向 到 为 这 那 哪 我 你 他 她 它 咱 我们 你们 他们 她们 咱们 大家 这个 那个 "
    "这里 那里 这边 那边 一个 一些 一直 总是 老是 经常 非常 特别 实在 真的 好像 已经 现在 今天 "
    "能 会 要 想 请 请问 一下 怎么 怎么办 怎样 什么 为什么 如何 啥 多久 时候 什么时候 能不能 "
    "可不可以 可以 问题 情况 反映 希望 麻烦 帮忙 谢谢 a an the of to in on at is are be and or "
    "for with my our it this that please"
))

# How long the admins' names are kept before they are read again (another worker may have added one).
TERMS_TTL = 60.0

_lock = threading.Lock()
_state = {"tokenizer": None, "converter": None, "terms": set(), "pinyin": {}, "unsounded": [], "loaded": None}


def _converter():
    if _state["converter"] is None:
        import opencc

        _state["converter"] = opencc.OpenCC("t2s")
    return _state["converter"]


def normalize(text):
    """`text` made comparable: NFKC (full-width → half-width), lower case, simplified characters."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return _converter().convert(text) if _HAS_CJK.search(text) else text


def _tokenizer():
    """The process's jieba tokenizer with the civic words, built on first use."""
    tokenizer = _state["tokenizer"]
    if tokenizer is None:
        with _lock:
            if _state["tokenizer"] is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                # jieba's default tokenizer, shared with other code of the process (its dictionary
                # takes tens of megabytes): the civic words help keyword extraction too.
                tokenizer = jieba.dt
                tokenizer.initialize()
                for word in NOT_WORDS:
                    tokenizer.del_word(word)
                _add_terms(tokenizer, CIVIC_WORDS)
                _state["tokenizer"] = tokenizer
            tokenizer = _state["tokenizer"]
    return tokenizer


def warm():
    """Build now what the first search would otherwise build (jieba's prefix dictionary, the civic
    words, OpenCC, pypinyin and the pinyin of the civic words): seconds on a loaded machine, so a
    server does it when a worker starts (gunicorn.conf.py), not in a visitor's request."""
    _tokenizer()
    normalize("路燈")
    correct("路登")
    segment("晚上路灯不亮了", drop=STOP_WORDS)


def _add_terms(tokenizer, terms):
    for term in terms:
        term = normalize(term).strip()
        if term in _state["terms"] or not term:
            continue
        _state["terms"].add(term)
        if _HAS_CJK.search(term) and " " not in term:
            # freq=None lets jieba pick a frequency high enough that the term is cut out whole.
            tokenizer.add_word(term)
            if len(term) >= 2:
                _state["unsounded"].append(term)


def site_terms():
    """The names the admins entered (categories, venues, regions, synonyms), read at most once a
    `TERMS_TTL` per process and database, and taught to the tokenizer."""
    from models import Category, Region, Venue, db

    tokenizer = _tokenizer()
    key = id(db.obj)
    loaded = _state["loaded"]
    if loaded and loaded[0] == key and time.monotonic() - loaded[1] < TERMS_TTL:
        return _state["terms"]
    names = [c.name for c in Category.select(Category.name)]
    names += [v.name for v in Venue.select(Venue.name)]
    names += [r.name for r in Region.select(Region.name)]
    from models import Synonym

    names += [s.word for s in Synonym.select(Synonym.word)]
    with _lock:
        _add_terms(tokenizer, names)
        _state["loaded"] = (key, time.monotonic())
    return _state["terms"]


def learn(*terms):
    """Teach the tokenizer new terms now (an admin saved a name), without waiting for the TTL."""
    tokenizer = _tokenizer()
    with _lock:
        _add_terms(tokenizer, terms)


def is_word(word):
    """Whether `word` is in the dictionary (jieba's, less NOT_WORDS, plus the site's terms)."""
    return bool(_tokenizer().FREQ.get(word)) or word in _state["terms"]


def is_site_term(word):
    return word in _state["terms"]


def _cut(run):
    """jieba's words of one CJK run, neighbouring single characters joined back into one word."""
    words, single = [], ""
    for piece in _tokenizer().cut(run, HMM=False):
        if len(piece) == 1:
            single += piece
            continue
        if single:
            words.append(single)
            single = ""
        words.append(piece)
    if single:
        words.append(single)
    return words


def segment(text, drop=frozenset()):
    """The words of `text` (normalized) in order: CJK words and latin/digit words.

    Pieces in `drop` (stop words) are removed before single characters are joined, so 堵了 with 了
    dropped leaves 堵.
    """
    out = []
    for run, latin in _PIECES.findall(normalize(text)):
        if latin:
            if latin not in drop:
                out.append(latin)
            continue
        if not drop:
            out.extend(_cut(run))
            continue
        single = ""
        for piece in _tokenizer().cut(run, HMM=False):
            if piece in drop or len(piece) > 1:
                if single:
                    out.append(single)
                    single = ""
                if piece not in drop:
                    out.append(piece)
            else:
                single += piece
        if single:
            out.append(single)
    return out


def is_cjk(word):
    return bool(_HAS_CJK.search(word))


def bigrams(word):
    """The overlapping character pairs of a CJK word (the word itself when one character)."""
    if len(word) < 2:
        return [word]
    return [word[i:i + 2] for i in range(len(word) - 1)]


def document_tokens(text):
    """The tokens stored in the index for `text`: latin words, the character pairs inside each
    word (never across two words), and every CJK character alone (so one character finds it)."""
    out = []
    chars = []
    for word in segment(text):
        if is_cjk(word):
            out.extend(bigrams(word) if len(word) > 1 else [word])
            chars.extend(word)
        else:
            out.append(word)
    return out + [c for c in chars if c not in out]


def word_tokens(word):
    """The tokens a query word needs, all of them: its pairs, or for a long word the two-character
    words inside it and the characters they leave (停车难 → 停车 难, so 小区停车太难 matches)."""
    if not is_cjk(word) or len(word) <= 2:
        return [word]
    inner = [w for w in _tokenizer().cut_for_search(word, HMM=False) if len(w) == 2 and w != word]
    if not inner:
        return bigrams(word)
    covered = set("".join(inner))
    return list(dict.fromkeys(inner + [c for c in word if c not in covered]))


# Pinyin ---------------------------------------------------------------------------------------

def pinyin(text):
    """(full pinyin without tones or spaces, initials) of `text`, lower case: 马家店 → (majiadian, mjd).

    Characters that are not Han stay as they are (lower case, letters and digits only).
    """
    from pypinyin import Style, lazy_pinyin

    text = normalize(text)
    full = lazy_pinyin(text, errors=lambda s: list(s))
    keep = [p for p in full if p.isalnum()]
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, strict=False, errors=lambda s: list(s))
    return "".join(keep), "".join(i for i in initials if i.isalnum())


def pinyin_key(text):
    """The full pinyin of each character of `text`, read alone (as a typist's input method does)."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(list(text), errors="ignore"))


def _sounds():
    """{pinyin: site term}, brought up to date with the terms added since (pypinyin is loaded only
    when a query needs it, not to index an issue)."""
    with _lock:
        while _state["unsounded"]:
            term = _state["unsounded"].pop(0)
            key = pinyin_key(term)
            if key:
                _state["pinyin"].setdefault(key, term)
    return _state["pinyin"]


def term_for_pinyin(key):
    """The site term whose pinyin is `key` (路灯 for ludeng), or None."""
    return _sounds().get(key)


def correct(run):
    """`run` (CJK) with typed-by-sound mistakes fixed against the site's terms: a stretch that is no
    word but sounds like a term becomes the term (路登 → 路灯, 下水到 → 下水道). Returns the new run."""
    sounds_of = _sounds()
    if not sounds_of:
        return run
    from pypinyin import lazy_pinyin

    sounds = lazy_pinyin(list(run), errors=lambda s: ["?"] * len(s))
    if len(sounds) != len(run):
        return run
    out, i = [], 0
    while i < len(run):
        for size in (4, 3, 2):
            window = run[i:i + size]
            if len(window) < size:
                continue
            term = sounds_of.get("".join(sounds[i:i + size]))
            if term and term != window and len(term) == size and not is_word(window):
                out.append(term)
                i += size
                break
        else:
            out.append(run[i])
            i += 1
    return "".join(out)
