"""gunicorn's settings for Yishi, read from the working directory (`gunicorn 'app:create_app()'`).

Flags on the command line (--workers, --bind, --threads) still choose the rest; see README, Deploy it."""


def post_worker_init(worker):
    """Load the search's word lists (jieba's dictionary and the rest, seconds on a busy machine)
    before the worker takes its first request, so no visitor's first search waits for them."""
    if "page_cache" in getattr(worker.wsgi, "extensions", {}):  # Yishi, not bench/hello.py
        from domain import words

        words.warm()
