"""Search of issues that finds what people mean, in Chinese as well as English.

Index: each issue's title, category (its Chinese and English names) and body are cut into words by
domain/words.py, and each word into overlapping character pairs (路灯, 加装 装电 电梯), never across
two words, so 区路 is not a token of 小区路灯; every CJK character is kept alone too. The tokens
live beside `issue` (migration 0013): an FTS5 table `issue_fts` with three columns on SQLite, a
weighted `tsvector` (A title, B category, C body) with a GIN index in `issue_search` on PostgreSQL.
Nothing here scans text with LIKE.

Query: `understand` cuts what was typed into words, drops particles (了, 的, 吗, 太…), fixes a
stretch typed by sound (路登 → 路灯), reads pinyin of a site term (ludeng → 路灯), and gives each word
its synonyms from the `synonym` table. `find` then asks the index for the issues holding every word;
when that finds fewer than FEW, for those holding any word. Either way the index returns at most
CANDIDATES ids (the newest first), and the ranking is done here, the same on both engines: by how
many words match, then where (title, category, body), then supports, then recency. So a word that
every one of a million issues holds costs what a rare one does: the newest CANDIDATES are ranked,
and the page says about how many there are (`about`) rather than counting them. Issues merged
into another, and issues of the very same title, are folded under the one shown.
"""
import functools
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from peewee import SQL, Table

from domain import words as wordlib
from models import Category, Issue, Synonym, db, on_sqlite

# Characters of a query that are read (a title is 120 at most; the rest cannot help).
MAX_QUERY_LENGTH = 100
# Words of a query that are searched for; the first ones.
MAX_QUERY_WORDS = 12
# A query of more tokens than this (after synonyms) searches for the first words only.
MAX_QUERY_TOKENS = 32
# bm25 weights of the FTS5 columns, for `matching` (the ledger's filter): title, category, body.
WEIGHTS = (10.0, 4.0, 1.0)
# What the index returns at most per query, newest first; the ranking is done over these.
CANDIDATES = 300
# Fewer issues than this holding every word: look for issues holding some of them too.
FEW = 5
# Where a word counts most.
PLACES = {"title": 3, "category": 2, "body": 1}
COLUMNS = ("title", "category", "body")
# The words of a snippet shown around the first match.
SNIPPET = 80

FTS = Table("issue_fts", ("rowid", "title", "category", "body"), alias="issue_fts")
PG_INDEX = Table("issue_search", ("issue_id", "document"), alias="issue_search")
_LEXEME = re.compile(r"'((?:[^']|'')+)'(?::([0-9A-D,]+))?")


# Tokens -------------------------------------------------------------------------------------

def tokens(text, query=False):
    """The search tokens of `text`. A document's: the pairs inside each word and every CJK character
    (words.document_tokens). A query's (query=True): the tokens its words need, stop words dropped."""
    if not query:
        return wordlib.document_tokens(text)
    out = []
    for word in wordlib.segment(text, drop=wordlib.STOP_WORDS):
        out.extend(wordlib.word_tokens(word))
    return list(dict.fromkeys(out))


def query_tokens(text):
    """The distinct tokens of a query, in order, at most MAX_QUERY_TOKENS."""
    return tokens(text, query=True)[:MAX_QUERY_TOKENS]


def document(title, category, body):
    """The (title, category, body) token strings stored in the index for an issue."""
    return tuple(" ".join(tokens(text)) for text in (title, category, body))


def category_text(category):
    return f"{category.name} {category.name_en}" if category is not None else ""


def index_sql(database):
    """The statement that stores one issue's tokens, taking (id, title, category, body tokens)."""
    if on_sqlite(database):
        return "INSERT INTO issue_fts (rowid, title, category, body) VALUES (?, ?, ?, ?)"
    return (
        "INSERT INTO issue_search (issue_id, document) VALUES (%s, "
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
        "|| setweight(to_tsvector('simple', %s), 'C')) "
        "ON CONFLICT (issue_id) DO UPDATE SET document = EXCLUDED.document"
    )


def index(issue):
    """Store (or replace) the tokens of `issue`; call inside the transaction that wrote it."""
    wordlib.site_terms()
    if on_sqlite():
        # FTS5 has no upsert; a delete of a missing rowid is a no-op.
        db.execute_sql("DELETE FROM issue_fts WHERE rowid = ?", (issue.id,))
    category = Category.get_or_none(Category.id == issue.category_id) if issue.category_id else None
    db.execute_sql(index_sql(db.obj), (issue.id, *document(issue.title, category_text(category), issue.body)))


def reindex_all():
    """Rebuild the whole index from the issue table (after the tokenizer changes); returns the count."""
    wordlib.site_terms()
    categories = {c.id: category_text(c) for c in Category.select()}
    count = 0
    with db.atomic():
        db.execute_sql("DELETE FROM issue_fts" if on_sqlite() else "DELETE FROM issue_search")
        sql = index_sql(db.obj)
        rows = Issue.select(Issue.id, Issue.title, Issue.body, Issue.category).order_by(Issue.id)
        for issue in rows.iterator():
            text = categories.get(issue.category_id, "")
            db.execute_sql(sql, (issue.id, *document(issue.title, text, issue.body)))
            count += 1
    return count


# Understanding a query ----------------------------------------------------------------------

@dataclass
class Word:
    """One word of a query: what it is, and the token lists any of which finds it (itself and its
    synonyms, each as the tokens it needs all of)."""

    text: str
    alternatives: list = field(default_factory=list)
    shown: list = field(default_factory=list)  # the word and its synonyms, to show and highlight

    @property
    def weight(self):
        """One character alone counts half a word: 难 by itself says little."""
        return 2 if any(len(w) > 1 for w in self.shown) else 1


@dataclass
class Query:
    text: str
    words: list
    corrected: bool = False  # a stretch typed by sound, or pinyin, was read as a site term

    def loose(self):
        """The query with every token of every word a word of its own: what the issues holding
        some of the words, or some of a long word, are sought by."""
        tokens = dict.fromkeys(t for w in self.words for a in w.alternatives for t in a)
        return Query(self.text, [Word(t, [[t]], [t]) for t in tokens], self.corrected)

    @property
    def latin_only(self):
        return not any(wordlib.is_cjk(w.text) for w in self.words)


def _alternative(text):
    out = []
    for word in wordlib.segment(text, drop=wordlib.STOP_WORDS):
        out.extend(wordlib.word_tokens(word))
    return list(dict.fromkeys(out))


def understand(text):
    """What `text` asks for, as a Query; None when nothing in it can be searched."""
    text = (text or "")[:MAX_QUERY_LENGTH]
    wordlib.site_terms()
    normalized = wordlib.normalize(text)
    corrected = False

    def fix(match):
        nonlocal corrected
        fixed = wordlib.correct(match.group(0))
        corrected = corrected or fixed != match.group(0)
        return fixed

    normalized = re.sub(f"[{wordlib.CJK}]+", fix, normalized)
    found = list(dict.fromkeys(wordlib.segment(normalized, drop=wordlib.STOP_WORDS)))
    if found and not any(wordlib.is_cjk(w) for w in found):
        # Pinyin of a site term, typed as one word or a few (ludeng, lu deng).
        term = wordlib.term_for_pinyin("".join(found))
        if term:
            found, corrected = [term], True
        else:
            swapped = [wordlib.term_for_pinyin(w) or w for w in found]
            corrected = swapped != found
            found = swapped
    found = found[:MAX_QUERY_WORDS]
    if not found:
        return None
    synonyms = Synonym.of(found)
    query_words, budget = [], MAX_QUERY_TOKENS
    for text_ in found:
        shown = list(dict.fromkeys([text_, *synonyms.get(text_, [])]))
        alternatives = [a for a in (_alternative(s) for s in shown) if a]
        if not alternatives:
            continue
        cost = sum(len(a) for a in alternatives)
        if cost > budget and query_words:
            break
        budget -= cost
        query_words.append(Word(text_, alternatives, shown))
    if not query_words:
        return None
    return Query(text, query_words, corrected)


def _fts_expression(query, any_word):
    # Each token quoted as an FTS5 string; tokens hold only letters and digits.
    words = [
        "(" + " OR ".join("(" + " AND ".join(f'"{t}"' for t in alt) + ")" for alt in w.alternatives) + ")"
        for w in query.words
    ]
    return (" OR " if any_word else " AND ").join(words)


def _ts_expression(query, any_word):
    words = [
        "(" + " | ".join("(" + " & ".join(f"'{t}'" for t in alt) + ")" for alt in w.alternatives) + ")"
        for w in query.words
    ]
    return (" | " if any_word else " & ").join(words)


def _narrowed(base, query, any_word):
    """`base` (a select from Issue) joined to the index and narrowed to `query`'s words."""
    if on_sqlite():
        return (
            base.switch(Issue)
            .join(FTS, on=(FTS.rowid == Issue.id))
            .where(SQL("issue_fts MATCH ?", [_fts_expression(query, any_word)]))
        )
    return (
        base.switch(Issue)
        .join(PG_INDEX, on=(PG_INDEX.issue_id == Issue.id))
        .where(SQL("issue_search.document @@ to_tsquery('simple', %s)", [_ts_expression(query, any_word)]))
    )


def matching(query, text, any_word=False):
    """`query` (a select from Issue) narrowed to the issues matching `text`, best first by the
    engine's own ranking (for filters such as the ledger's; `find` ranks the same on both engines).

    All words must match unless `any_word`. Returns None when `text` has nothing searchable.
    """
    understood = understand(text) if isinstance(text, str) else text
    if understood is None:
        return None
    narrowed = _narrowed(query, understood, any_word)
    if on_sqlite():
        rank = SQL("bm25(issue_fts, {}, {}, {})".format(*WEIGHTS))
    else:
        rank = SQL("ts_rank(issue_search.document, to_tsquery('simple', %s)) DESC",
                   [_ts_expression(understood, any_word)])
    return narrowed.order_by(rank, Issue.support_count.desc(), Issue.id.desc())


# Finding and ranking ------------------------------------------------------------------------

@dataclass(eq=False)
class Candidate:
    id: int
    title: str
    status: str
    merged_into: int
    support_count: int
    columns: dict  # the index tokens of each column
    build: object = None  # makes the issue row as `base` selects it (with its category, venue)
    matched: int = 0
    place: int = 0
    strong: bool = False  # holds a word, or part of one, of two characters or more
    folded: list = field(default_factory=list)
    _issue: object = None

    @property
    def key(self):
        return (-self.matched, -self.place, -self.support_count, -self.id)

    @property
    def issue(self):
        """The issue row, made only for a candidate that is shown (making 300 costs more than the
        query that found them)."""
        if self._issue is None:
            self._issue = self.build()
        return self._issue


def _columns_sqlite(title, category, body):
    return {"title": set(title.split()), "category": set(category.split()), "body": set(body.split())}


def _columns_pg(document):
    """The tokens of each weighted part of a tsvector's text ('路灯':1A,4C '坏':2A …)."""
    columns = {name: set() for name in COLUMNS}
    names = {"A": "title", "B": "category", "C": "body", "D": "body"}
    for lexeme, positions in _LEXEME.findall(document or ""):
        lexeme = lexeme.replace("''", "'")
        for position in (positions or "D").split(","):
            columns[names[position[-1] if position[-1] in names else "D"]].add(lexeme)
    return columns


LIGHT = (Issue.id, Issue.title, Issue.status, Issue.merged_into, Issue.support_count)


def candidate_query(base, query, any_word):
    """The one query of `_candidates`: `base` narrowed to the words, with the few columns ranking
    needs and the index's tokens after `base`'s own, newest CANDIDATES first."""
    narrowed = _narrowed(base, query, any_word)
    light = [f.alias(f"hit_{f.name}") for f in LIGHT]
    if on_sqlite():
        index_columns = (FTS.title.alias("index_title"), FTS.category.alias("index_category"),
                         FTS.body.alias("index_body"))
        # Ordered by the index table's id (the issue's), so the engine walks the index's matches
        # newest first rather than the issue table probing the index row by row.
        newest = FTS.rowid.desc()
    else:
        index_columns = (PG_INDEX.document.alias("index_document"),)
        newest = PG_INDEX.issue_id.desc()
    return narrowed.select_extend(*light, *index_columns).order_by(newest).limit(CANDIDATES)


def newest_matching(text, limit):
    """The ids of the newest `limit` issues holding every word of `text` (a subquery, for a filter
    that must not grow with the index: the ledger's), or None when `text` has nothing searchable."""
    understood = understand(text)
    if understood is None:
        return None
    newest = FTS.rowid.desc() if on_sqlite() else PG_INDEX.issue_id.desc()
    return _narrowed(Issue.select(Issue.id), understood, False).order_by(newest).limit(limit)


def _candidates(base, query, any_word):
    """Up to CANDIDATES issues of `base` holding all (or any) of the words, newest first, with their
    index tokens by column: one query, whose rows are also the rows shown."""
    query_ = candidate_query(base, query, any_word)
    extra = len(LIGHT) + (3 if on_sqlite() else 1)
    cursor = db.execute(query_)
    rows = cursor.fetchall()
    wrapper = query_._get_cursor_wrapper(cursor)
    wrapper.initialize()  # reads the cursor's description; rows become models only when shown
    found = []
    for row in rows:
        tail = row[-extra:]
        tokens = tail[len(LIGHT):]
        columns = _columns_sqlite(*(t or "" for t in tokens)) if on_sqlite() else _columns_pg(tokens[0])
        found.append(Candidate(*tail[:len(LIGHT)], columns, build=functools.partial(wrapper.process_row, row)))
    return found


def _score(candidate, query):
    """How many words `candidate` holds (a word's weight for all of it; 1 for a part of two
    characters or more of a longer word, 停车 of 停车难) and where (the best column of each)."""
    everything = set().union(*candidate.columns.values())
    matched = place = 0
    strong = False
    for word in query.words:
        best = 0
        for alternative in word.alternatives:
            if all(t in everything for t in alternative):
                best = max(best, max(
                    (PLACES[c] for c in COLUMNS if all(t in candidate.columns[c] for t in alternative)),
                    default=1,
                ))
        if best:
            matched += word.weight
            place += best
            strong = strong or word.weight > 1
        elif any(len(t) > 1 and t in everything for a in word.alternatives if len(a) > 1 for t in a):
            matched += 1
            strong = True
    candidate.matched, candidate.place, candidate.strong = matched, place, strong


def _fold(ranked, base):
    """Fold issues merged into another under it, and issues of the very same title under the first
    of them; an issue merged into one that is not among the results brings that one in instead."""
    by_id = {c.id: c for c in ranked}
    missing = {c.merged_into for c in ranked if c.status == "merged" and c.merged_into and c.merged_into not in by_id}
    if missing:
        for issue in base.where(Issue.id.in_(list(missing))):
            by_id[issue.id] = Candidate(
                issue.id, issue.title, issue.status, issue.merged_into_id, issue.support_count, {}, _issue=issue,
            )
    shown, home_of, by_title = [], {}, {}
    for candidate in ranked:
        target = candidate
        if candidate.status == "merged" and candidate.merged_into in by_id:
            target = by_id[candidate.merged_into]
        home = home_of.get(target.id)
        if home is None:
            title = wordlib.normalize(target.title).strip()
            home = by_title.get(title)
            if home is None:
                home = by_title[title] = target
                shown.append(home)
            elif target not in home.folded:
                home.folded.append(target)
            home_of[target.id] = home
        if candidate is not home and candidate not in home.folded:
            home.folded.append(candidate)
    return shown


def about(found):
    """How many issues of the base hold the words, roughly, when the index gave CANDIDATES (the
    newest) and there are more: the matches are assumed as dense among the older ids as among
    the ids the candidates span (no count, which would read every match). Two significant
    figures; None when every match is among `found`."""
    if len(found) < CANDIDATES:
        return None
    ids = [c.id for c in found]
    newest, oldest = max(ids), min(ids)
    estimate = len(ids) + len(ids) / (newest - oldest + 1) * (oldest - 1)
    digits = max(0, len(str(int(estimate))) - 2)
    return max(len(ids), round(estimate, -digits))


class Results:
    """The issues found for a query, ranked, as something `views.Page` can page through
    (`limit`, `offset`, iteration); each issue comes with `folded`, `snippet` and `marked_title`.
    `about` is how many issues hold the words, roughly, when more did than were ranked (else None)."""

    def __init__(self, base, query, ranked, partial, sort="relevant", about=None):
        self.base, self.query, self.partial, self.about = base, query, partial, about
        if sort == "new":
            ranked = sorted(ranked, key=lambda c: -c.id)
        elif sort == "supported":
            ranked = sorted(ranked, key=lambda c: (-c.support_count, -c.id))
        self.ranked = ranked
        self._limit, self._offset = None, 0

    def __len__(self):
        return len(self.ranked)

    def limit(self, number):
        self._limit = number
        return self

    def offset(self, number):
        self._offset = number
        return self

    def __iter__(self):
        end = None if self._limit is None else self._offset + self._limit
        terms = highlight_terms(self.query)
        for candidate in self.ranked[self._offset:end]:
            issue = candidate.issue
            issue.folded = candidate.folded
            issue.marked_title = highlight(issue.title, terms)
            issue.snippet = snippet(issue.body, terms)
            yield issue


def find(base, text, sort="relevant"):
    """The issues of `base` (a select from Issue) matching what `text` means, ranked; None when
    nothing in `text` can be searched. `.partial` says some results hold only some of the words."""
    query = understand(text)
    if query is None:
        return None
    found = _candidates(base, query, any_word=False)
    estimate = about(found)
    partial = False
    only = query.words[0]
    splittable = not wordlib.is_site_term(only.text) and any(len(a) > 1 for a in only.alternatives)
    if len(found) < FEW and (len(query.words) > 1 or splittable):
        seen = {c.id for c in found}
        # Several words: issues holding any of them; one long word that is not a term of the site
        # (加装电梯 is one): any of its parts (停车 of 停车难).
        loose = query if len(query.words) > 1 else query.loose()
        more = [c for c in _candidates(base, loose, any_word=True) if c.id not in seen]
        found += more
        partial = bool(more)
    full = sum(w.weight for w in query.words)
    for candidate in found:
        _score(candidate, query)
    # Of the issues holding some words, those whose only match is one character alone say nothing.
    if any(w.weight > 1 for w in query.words):
        found = [c for c in found if c.strong]
    partial = partial and any(c.matched < full for c in found)
    ranked = _fold(sorted(found, key=lambda c: c.key), base)
    return Results(base, query, ranked, partial, sort, estimate)


# Highlighting -------------------------------------------------------------------------------

def highlight_terms(query):
    """The strings to mark in a result: every word and synonym, and the tokens they need."""
    terms = set()
    for word in query.words:
        terms.update(w for w in word.shown if wordlib.is_cjk(w) or len(w) > 1)
        for alternative in word.alternatives:
            terms.update(alternative)
    return sorted(terms, key=len, reverse=True)


def _spans(text, terms):
    """(normalized text, [(start, end)…]) where `terms` occur, merged; positions are the same in
    `text` as in its normalized form (normalized one character at a time)."""
    normalized = "".join((wordlib.normalize(c) or c)[:1] for c in text)
    spans = []
    for term in terms:
        start = normalized.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = normalized.find(term, start + 1)
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text, spans, start=0, end=None):
    end = len(text) if end is None else end
    out, at = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[at:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        at = e
    out.append(escape(text[at:end]))
    return Markup("").join(out)


def highlight(text, terms):
    """`text`, escaped, with `terms` marked."""
    return _marked(text or "", _spans(text or "", terms))


def snippet(text, terms, size=SNIPPET):
    """Up to `size` characters of `text` around the first of `terms`, escaped, terms marked, with
    an ellipsis where cut."""
    text = " ".join((text or "").split())
    spans = _spans(text, terms)
    start = max(0, spans[0][0] - size // 4) if spans else 0
    end = min(len(text), start + size)
    body = _marked(text, spans, start, end)
    return Markup("").join([Markup("…") if start else "", body, Markup("…") if end < len(text) else ""])


# Similar issues and a venue's list ----------------------------------------------------------

def similar(venue, title, limit=5):
    """Up to `limit` issues at `venue` that look like one titled `title`, most alike first.

    Merged and hidden issues are left out. A candidate must share two words with the title
    (one, for a one-word title), so one common word such as 小区 is not enough.
    """
    query = understand(title)
    if query is None:
        return []
    candidates = matching(
        Issue.select(
            Issue.id, Issue.title, Issue.body, Issue.status, Issue.support_count,
            Issue.comment_count, Issue.created_at,
        ).where((Issue.venue == venue) & ~Issue.hidden & (Issue.status != "merged")),
        query,
        any_word=True,
    ).limit(limit * 4)
    need = min(2, len(query.words))
    found = []
    for issue in candidates:
        have = set(tokens(f"{issue.title}\n{issue.body}"))
        shared = sum(1 for w in query.words if any(all(t in have for t in a) for a in w.alternatives))
        if shared >= need:
            found.append(issue)
            if len(found) == limit:
                break
    return found


def venue_issues(venue, status="", category="", level="", q="", sort="new"):
    """The public issues of `venue` for the list's filters: of one status, category code and level
    when given, matching what `q` means (ranked when sort="relevant", else newest or most supported
    first), as something a Page can page through. None when `q` has nothing searchable."""
    query = Issue.at(venue, status, category, level)
    if q:
        return find(query, q, sort)
    return Issue.ordered(Issue.with_latest_item(query), sort)


# Synonyms (kept by the admins) --------------------------------------------------------------

_SEPARATORS = re.compile(r"[,，、;；/|\n]+")


def synonym_words(text):
    """The words of what an admin typed, normalized (simplified, lower case), in order, distinct:
    separated by commas when there are any (so "street light" stays one), else by spaces."""
    text = text or ""
    parts = _SEPARATORS.split(text) if _SEPARATORS.search(text) else text.split()
    words = (" ".join(wordlib.normalize(w).split()) for w in parts)
    return list(dict.fromkeys(w for w in words if w))


def _group_snapshot(term, words):
    return {"name": term, "words": " ".join(w for w in words if w != term)}


def save_synonyms(actor, term, others, original=""):
    """Make `term` and `others` one group of words that mean the same, replacing the group of
    `original` (the term it had, when an admin edits one); audited. Returns the term's row."""
    from domain import audit

    term = wordlib.normalize(term).strip()
    words = [term, *[w for w in others if w != term]]
    with db.atomic():
        before = None
        if original:
            old = Synonym.group(original)
            before = _group_snapshot(original, old) if old else None
            Synonym.delete().where(Synonym.term == original).execute()
        Synonym.delete().where(Synonym.term == term).execute()
        head = None
        for word in words:
            row = Synonym.create(word=word, term=term)
            head = head or row
        audit.record(actor, "synonym.update" if before else "synonym.create", head, before,
                     _group_snapshot(term, words))
    wordlib.learn(*words)
    return head


def delete_synonyms(actor, term):
    """Remove the group of `term`; audited. False when there was none."""
    from domain import audit

    with db.atomic():
        head = Synonym.get_or_none(Synonym.word == term, Synonym.term == term)
        if head is None:
            return False
        before = _group_snapshot(term, Synonym.group(term))
        Synonym.delete().where(Synonym.term == term).execute()
        audit.record(actor, "synonym.delete", head, before, None)
    return True
