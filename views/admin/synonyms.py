"""Synonyms: groups of words that mean the same in a search (路灯, 街灯, street light), kept by the
admins and applied when a query is read. One page: the groups, and the form that adds or changes
one (?term= picks the group to change)."""
from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import search
from models import Synonym
from views import render, see_other
from views.admin import bp, form_status
from views.admin.forms import SynonymForm


def _page(form, editing="", status=200):
    return render("admin/synonyms.html", form=form, groups=Synonym.groups(), editing=editing, status=status)


@bp.get("/synonyms")
def synonyms():
    term = request.args.get("term", "").strip()[:40]
    words = Synonym.group(term) if term else []
    if not words:
        return _page(SynonymForm(formdata=None))
    form = SynonymForm(formdata=None, data={"term": term, "words": ", ".join(words[1:]), "original": term})
    return _page(form, editing=term)


@bp.post("/synonyms")
def synonyms_save():
    form = SynonymForm()
    if not form.validate_on_submit():
        return _page(form, editing=form.original.data, status=form_status(form))
    head = search.save_synonyms(current_user, form.term.data, form.others(), form.original.data)
    flash(_("The words of “%(term)s” are saved.", term=head.term), "success")
    return see_other(url_for("admin.synonyms"))


@bp.post("/synonyms/delete")
def synonyms_delete():
    term = request.form.get("term", "").strip()[:40]
    if search.delete_synonyms(current_user, term):
        flash(_("The words of “%(term)s” are removed.", term=term), "success")
    return see_other(url_for("admin.synonyms"))
