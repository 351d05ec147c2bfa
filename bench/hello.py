"""The floor of `make bench`: Flask's hello world, served by the same gunicorn as Yishi."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
