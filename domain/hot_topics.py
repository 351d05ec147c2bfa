"""Keywords of an issue for the hot topics, with jieba's TF-IDF keyword extraction.

jieba's default dictionary cuts some words residents use all the time (晚上路灯不亮了 gives
晚上/路/灯不亮/了), so a private tokenizer learns the site's own words first; the site's stop words
drop what every issue says (小区, 希望, 问题…). The tokenizer is this module's own (not jieba's
global one, which search may configure otherwise) and is built once per process, on first use,
because building its prefix dictionary takes about a second.
"""
import functools
import gc
import logging
import os
import re
import threading
import warnings

# Words residents use that jieba's default dictionary splits or misses.
SITE_WORDS = (
    "路灯", "停车位", "停车难", "加装电梯", "电梯", "垃圾清运", "垃圾分类", "下水道", "积水", "排水",
    "物业费", "物业", "广场舞", "电动车", "充电桩", "飞线充电", "减速带", "通组公路", "坑洼", "公交",
    "班次", "水源地", "卫生院", "柑橘", "病虫害", "化粪池", "自来水", "水压", "老旧小区", "噪音",
    "绿化", "健身器材", "监控", "养老", "留守儿童", "文化广场", "环境卫生", "违章搭建",
)

STOP_WORDS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stop_words.txt")


def _stop_words(path=STOP_WORDS_FILE):
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


STOP_WORDS = _stop_words()
TOP_K = 5
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,12}$")  # Chinese words of two characters or more
_COUNTED = re.compile(r"^[一二三四五六七八九十两几每半][\u4e00-\u9fff]$")  # 三盏, 两个: a number, not a topic
_lock = threading.Lock()
_extractor = None


def extractor():
    """The process's one TF-IDF extractor, with the site's words and stop words (built once)."""
    global _extractor
    if _extractor is None:
        with _lock:
            if _extractor is None:
                with warnings.catch_warnings():
                    # jieba reads its IDF table (on import, and for each extractor) without closing the file.
                    warnings.simplefilter("ignore", ResourceWarning)
                    import jieba
                    import jieba.analyse

                    tfidf = jieba.analyse.TFIDF()
                    gc.collect()
                jieba.setLogLevel(logging.WARNING)  # not the dictionary's loading times on stderr
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in SITE_WORDS:
                    tokenizer.add_word(word, 50000)  # high enough to win over a split
                tfidf.tokenizer = tokenizer
                tfidf.stop_words = set(tfidf.stop_words) | STOP_WORDS
                _extractor = tfidf
    return _extractor


def keywords(title, body, top=TOP_K):
    """The issue's most telling Chinese words (at most `top`), by TF-IDF over its title and body;
    the title counts twice, as it says what the issue is about."""
    return list(_keywords(title or "", body or "", top))


@functools.lru_cache(maxsize=4096)  # a recount of imported issues often meets the same text again
def _keywords(title, body, top):
    words = extractor().extract_tags(f"{title}。{title}。{body}", topK=top * 3)
    return tuple([w for w in words if _WORD.match(w) and w not in STOP_WORDS and not _COUNTED.match(w)][:top])
