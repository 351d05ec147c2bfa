"""The ledger (台账): the tracking table of every matter for those who follow them up, and its
exports as CSV and XLSX for the same filter.

The filters are a GET form, so the address holds them and the page works without JavaScript; htmx
swaps only the table when they change. Both exports are streamed: rows come from the database a
chunk at a time (domain/ledger.py's `iterate`), so 100,000 rows take no more memory than 1,000.
"""
import csv
import datetime
import io
import tempfile

from flask import Blueprint, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import ledger, permissions
from models import db
from views import render, require

bp = Blueprint("ledger", __name__)

DEFAULT_PAGE_SIZE = 50
# Spreadsheets run what starts like a formula; a resident's title must stay text (OWASP's advice).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _allowed():
    require(permissions.can_see_ledger(current_user), _("The ledger is for councillors, deputies, "
                                                         "handling departments and administrators."))
    return current_user._get_current_object()


def _filename(extension):
    return f"ledger-{datetime.date.today().isoformat()}.{extension}"


@bp.get("/ledger")
def index():
    user = _allowed()
    filters = ledger.Filters.from_args(request.args)
    size = current_app.config.get("LEDGER_PAGE_SIZE", DEFAULT_PAGE_SIZE)
    listing = ledger.page(user, filters, size)

    def url(endpoint="ledger.index", **changes):
        return url_for(endpoint, **filters.args(**changes))

    return render(
        "ledger/index.html", "ledger/_table.html",
        filters=filters, listing=listing, counts=ledger.counts(user, filters),
        choices=ledger.choices(user), columns=ledger.COLUMNS,
        ledger_count=ledger.count_label, ledger_total=ledger.total_label, searched=ledger.SEARCHED,
        cells=ledger.Cells(), ledger_url=url,
    )


def _text(value):
    """A cell as the CSV writes it: dates in ISO form, formula-like text made inert."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _drain(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


@bp.get("/ledger.csv")
def export_csv():
    user = _allowed()
    filters = ledger.Filters.from_args(request.args)
    headers, cells = ledger.headers(), ledger.Cells()

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        # The BOM tells Excel the file is UTF-8, so Chinese opens as Chinese.
        yield "\ufeff" + _drain(buffer)
        for n, row in enumerate(ledger.iterate(user, filters), 1):
            writer.writerow([_text(value) for value in cells(row)])
            if n % 500 == 0:
                yield _drain(buffer)
        yield _drain(buffer)

    return _stream(generate(), "text/csv; charset=utf-8", _filename("csv"))


@bp.get("/ledger.xlsx")
def export_xlsx():
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    user = _allowed()
    filters = ledger.Filters.from_args(request.args)
    headers, cells, title = ledger.headers(), ledger.Cells(), _("Ledger")[:31]

    def generate():
        # Write-only mode keeps the rows in a temporary file, not in memory; the finished workbook
        # (a zip) is then sent from another temporary file, a block at a time.
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=title)
        sheet.append(headers)
        for row in ledger.iterate(user, filters):
            values = cells(row)
            for n, value in enumerate(values):
                # openpyxl reads text starting with "=" as a formula: such a title goes in as text.
                if isinstance(value, str) and value.startswith("="):
                    values[n] = WriteOnlyCell(sheet, value=value)
                    values[n].data_type = "s"
            sheet.append(values)  # dates get openpyxl's yyyy-mm-dd format by themselves
        with tempfile.TemporaryFile() as spool:
            book.save(spool)
            spool.seek(0)
            while block := spool.read(64 * 1024):
                yield block

    return _stream(generate(), XLSX_TYPE, _filename("xlsx"))


def _stream(body, mimetype, filename):
    """A response sending what `body` yields. The body runs after the request has ended (so it
    needs nothing from it) and holds its own database connection while it runs."""
    response = current_app.response_class(_connected(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _connected(body):
    opened = db.connect(reuse_if_open=True)
    try:
        yield from body
    finally:
        if opened and not db.is_closed():
            db.close()
