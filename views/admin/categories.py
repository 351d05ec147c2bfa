"""Categories: what an issue is about, and who handles it by default at each level."""
from flask import url_for

from models import Category, Department
from views import render
from views.admin import archiving, bp, found, save_form, set_archived
from views.admin.forms import CategoryForm


@bp.get("/categories")
def categories():
    return render(
        "admin/categories.html", categories=list(Category.admin_listing()), department_names=Department.names(),
    )


def _listing(category):
    return url_for("admin.categories")


@bp.route("/categories/new", methods=["GET", "POST"])
def category_new():
    return save_form(CategoryForm(), Category(), "admin/category_form.html", _listing, category=None)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category_edit(category_id):
    category = found(Category, category_id)
    return save_form(
        CategoryForm(obj=category, category=category), category, "admin/category_form.html", _listing,
        category=category,
    )


@archiving("/categories/<int:category_id>", "category")
def category_archived(category_id, archived):
    category = found(Category, category_id)
    return set_archived(category, archived, url_for("admin.category_edit", category_id=category.id))
