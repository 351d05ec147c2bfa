"""Full-text search of issues that understands Chinese as well as English.

Chinese has no spaces between words and most words have two characters, so text is cut into
overlapping character bigrams (as Lucene's CJK analyzer does): 小区路灯坏了 → 小区 区路 路灯 灯坏 坏了.
A query is cut the same way, so 路灯 finds it. Runs of latin letters and digits become words.
The tokens are kept in an index table beside `issue` (created by migration 0002): an FTS5 virtual
table `issue_fts` on SQLite, a `tsvector` with a GIN index in `issue_search` on PostgreSQL.
Nothing here scans text with LIKE.
"""
import re
import unicodedata

from peewee import SQL, SqliteDatabase, Table

from models import Issue, db

# Han (with extensions and compatibility ideographs), kana and hangul: scripts written without spaces.
_CJK = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_TOKEN = re.compile(rf"([{_CJK}]+)|((?:(?![{_CJK}])[^\W_])+)")
# Characters of a query that are read (a title is 120 at most; the rest cannot help).
MAX_QUERY_LENGTH = 100
# A query of more words than this searches for the first ones only (titles run to 120 characters).
MAX_QUERY_TOKENS = 32
# bm25 weights of the FTS5 columns: a word in the title counts ten times one in the body.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0

FTS = Table("issue_fts", ("rowid", "title", "body"), alias="issue_fts")
PG_INDEX = Table("issue_search", ("issue_id", "document"), alias="issue_search")


def tokens(text, query=False):
    """The search tokens of `text`: lower-case words, and CJK bigrams.

    A run of one CJK character is kept as it is. Documents (query=False) also get every CJK
    character alone, so that a one-character query finds a character inside a longer run.
    """
    text = unicodedata.normalize("NFKC", text or "").casefold()
    out = []
    for cjk, word in _TOKEN.findall(text):
        if word:
            out.append(word)
        elif len(cjk) == 1:
            out.append(cjk)
        else:
            out.extend(cjk[i:i + 2] for i in range(len(cjk) - 1))
            if not query:
                out.extend(cjk)
    return out


def query_tokens(text):
    """The distinct tokens of a query, in order, at most MAX_QUERY_TOKENS."""
    return list(dict.fromkeys(tokens(text, query=True)))[:MAX_QUERY_TOKENS]


def document(title, body):
    """The (title, body) token strings stored in the index for an issue."""
    return " ".join(tokens(title)), " ".join(tokens(body))


def _sqlite(database=None):
    database = database or db.obj
    return isinstance(database, SqliteDatabase)


def index_sql(database):
    """The statement that stores one issue's tokens, taking (id, title tokens, body tokens)."""
    if _sqlite(database):
        return "INSERT INTO issue_fts (rowid, title, body) VALUES (?, ?, ?)"
    return (
        "INSERT INTO issue_search (issue_id, document) VALUES (%s, "
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')) "
        "ON CONFLICT (issue_id) DO UPDATE SET document = EXCLUDED.document"
    )


def index(issue):
    """Store (or replace) the tokens of `issue`; call inside the transaction that wrote it."""
    if _sqlite():
        # FTS5 has no upsert; a delete of a missing rowid is a no-op.
        db.execute_sql("DELETE FROM issue_fts WHERE rowid = ?", (issue.id,))
    db.execute_sql(index_sql(db.obj), (issue.id, *document(issue.title, issue.body)))


def reindex_all():
    """Rebuild the whole index from the issue table (after the tokenizer changes); returns the count."""
    count = 0
    with db.atomic():
        db.execute_sql("DELETE FROM issue_fts" if _sqlite() else "DELETE FROM issue_search")
        sql = index_sql(db.obj)
        for issue in Issue.select(Issue.id, Issue.title, Issue.body).order_by(Issue.id).iterator():
            db.execute_sql(sql, (issue.id, *document(issue.title, issue.body)))
            count += 1
    return count


def matching(query, text, any_word=False):
    """`query` (a select from Issue) narrowed to the issues matching `text`, best first.

    All tokens must match unless `any_word` (then any one does, and the ranking sorts out the
    best). Ties go to the most supported. Returns None when `text` has nothing searchable.
    """
    terms = query_tokens(text)
    if not terms:
        return None
    if _sqlite():
        # Each token quoted as an FTS5 string; tokens hold only letters and digits.
        expression = (" OR " if any_word else " AND ").join(f'"{t}"' for t in terms)
        return (
            query.switch(Issue)
            .join(FTS, on=(FTS.rowid == Issue.id))
            .where(SQL("issue_fts MATCH ?", [expression]))
            .order_by(
                SQL(f"bm25(issue_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})"),
                Issue.support_count.desc(),
                Issue.id.desc(),
            )
        )
    expression = (" | " if any_word else " & ").join(f"'{t}'" for t in terms)
    return (
        query.switch(Issue)
        .join(PG_INDEX, on=(PG_INDEX.issue_id == Issue.id))
        .where(SQL("issue_search.document @@ to_tsquery('simple', %s)", [expression]))
        .order_by(
            SQL("ts_rank(issue_search.document, to_tsquery('simple', %s)) DESC", [expression]),
            Issue.support_count.desc(),
            Issue.id.desc(),
        )
    )


def similar(venue, title, limit=5):
    """Up to `limit` issues at `venue` that look like one titled `title`, most alike first.

    Merged and hidden issues are left out. A candidate must share two tokens with the title
    (one, for a one-token title), so one common word such as 小区 is not enough.
    """
    terms = set(query_tokens(title))
    if not terms:
        return []
    candidates = matching(
        Issue.select(
            Issue.id, Issue.title, Issue.body, Issue.status, Issue.support_count,
            Issue.comment_count, Issue.created_at,
        ).where((Issue.venue == venue) & ~Issue.hidden & (Issue.status != "merged")),
        title,
        any_word=True,
    ).limit(limit * 4)
    need = min(2, len(terms))
    found = []
    for issue in candidates:
        if len(terms & set(tokens(f"{issue.title}\n{issue.body}"))) >= need:
            found.append(issue)
            if len(found) == limit:
                break
    return found


def venue_issues(venue, status="", category="", level="", q="", sort="new"):
    """The public issues of `venue` for the list's filters, as one query: of one status,
    category code and level when given, matching the words `q` (best first when sort="relevant"), else
    newest or most supported first. None when `q` has nothing searchable."""
    query = Issue.at(venue, status, category, level)
    if q:
        query = matching(query, q)
        if query is None or sort == "relevant":
            return query
    return Issue.ordered(query, sort)
