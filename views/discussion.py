"""The discussion under an issue (the participation work fills this in)."""
from flask import Blueprint

bp = Blueprint("discussion", __name__)


def thread_context(issue):
    """What templates/discussion/_section.html needs to show the thread of `issue`."""
    return {}
