import pytest
from flask import abort


@pytest.fixture
def failing_app(app):
    @app.get("/test-error/<int:code>")
    def fail(code):
        abort(code)

    @app.get("/test-crash")
    def crash():
        raise RuntimeError("boom")

    app.config["TESTING"] = False  # let the 500 handler answer instead of raising
    return app


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        (400, "请求有误", "Bad request"),
        (403, "没有权限", "Not allowed"),
        (404, "找不到这个页面", "Page not found"),
        (405, "不支持这种请求", "Method not allowed"),
        (422, "请检查您填写的内容", "Please check your input"),
        (500, "出了点问题", "Something went wrong"),
    ],
)
def test_error_pages_in_both_languages(failing_app, code, zh, en):
    client = failing_app.test_client()
    response = client.get(f"/test-error/{code}")
    assert response.status_code == code
    assert f"<h1>{zh}</h1>" in response.get_data(as_text=True)
    english = client.get(f"/test-error/{code}", headers={"Accept-Language": "en"})
    assert f"<h1>{en}</h1>" in english.get_data(as_text=True)


def test_an_unexpected_exception_gives_the_500_page(failing_app):
    response = failing_app.test_client().get("/test-crash")
    assert response.status_code == 500
    assert "出了点问题" in response.get_data(as_text=True)


def test_wrong_method_gives_405_page(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "不支持这种请求" in response.get_data(as_text=True)
