import pytest

import models

GOOD = {"username": "zhang3", "display_name": "张三", "password": "secret-pass", "confirm": "secret-pass"}


def user_count():
    return models.User.select().count()


def test_register_page_has_labelled_fields(client):
    page = client.get("/register").get_data(as_text=True)
    for field in ("username", "display_name", "password", "confirm"):
        assert f'for="{field}"' in page


def test_register_logs_in_and_redirects(client, db):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    user = models.User.get(models.User.username == "zhang3")
    assert user.display_name == "张三"
    assert user.password_hash != "secret-pass" and user.check_password("secret-pass")
    assert "张三" in client.get("/").get_data(as_text=True) or client.get("/profile").status_code == 200


def test_register_goes_back_to_a_local_next_only(client, db):
    ok = client.post("/register?next=/v/somewhere", data=GOOD)
    assert ok.headers["Location"] == "/v/somewhere"
    client.post("/logout")
    evil = client.post("/register?next=//evil.example/x", data=dict(GOOD, username="li4"))
    assert evil.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "", "请输入用户名。"),
        ("username", "ab", "用户名需要 3 到 40 个字符。"),
        ("username", "a" * 41, "用户名需要 3 到 40 个字符。"),
        ("username", "张 三", "只能使用字母、数字、点、横线和下划线。"),
        ("display_name", "", "请输入您的姓名。"),
        ("display_name", "名" * 41, "姓名最多 40 个字。"),
        ("password", "short", "密码需要 8 到 128 个字符。"),
        ("confirm", "different-pass", "两次输入的密码不一样。"),
    ],
)
def test_register_rejects_bad_fields_in_chinese_and_keeps_input(client, db, field, value, message):
    data = dict(GOOD, **{field: value})
    if field == "password":
        data["confirm"] = value
    before = user_count()
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'aria-invalid="true"' in page
    if field != "username":
        assert 'value="zhang3"' in page
    assert user_count() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "", "Please enter a username."),
        ("display_name", "", "Please enter your name."),
        ("confirm", "different-pass", "The two passwords are not the same."),
    ],
)
def test_register_messages_in_english(client, db, field, value, message):
    response = client.post(
        "/register", data=dict(GOOD, **{field: value}), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_duplicate_username_is_a_clear_error(client, make):
    make.user("zhang3")
    before = user_count()
    response = client.post("/register", data=GOOD)
    assert response.status_code == 422
    assert "这个用户名已被使用" in response.get_data(as_text=True)
    assert user_count() == before


def test_login_and_logout(client, make):
    make.user("wang5", display_name="王五")
    response = client.post("/login", data={"username": "wang5", "password": "password123"})
    assert response.status_code == 303
    assert "退出" in client.get("/").get_data(as_text=True)
    assert client.get("/profile").status_code == 200
    out = client.post("/logout")
    assert out.status_code == 303
    assert client.get("/profile").status_code == 302


def test_wrong_password_is_refused_in_the_users_language(client, make):
    make.user("wang5")
    zh = client.post("/login", data={"username": "wang5", "password": "nope-nope"})
    assert zh.status_code == 422
    assert "用户名或密码不对" in zh.get_data(as_text=True)
    en = client.post(
        "/login", data={"username": "wang5", "password": "nope-nope"}, headers={"Accept-Language": "en"}
    )
    assert "Wrong username or password" in en.get_data(as_text=True)
    unknown = client.post("/login", data={"username": "nobody", "password": "whatever1"})
    assert unknown.status_code == 422
    assert 'value="nobody"' in unknown.get_data(as_text=True)


def test_empty_login_fields(client, db):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请输入用户名。" in page and "请输入密码。" in page


def test_deactivated_account_cannot_log_in(client, make):
    make.user("gone", active=False)
    response = client.post("/login", data={"username": "gone", "password": "password123"})
    assert response.status_code == 422
    assert "已被停用" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_profile_requires_login(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/login?next=%2Fprofile" in response.headers["Location"]


def test_profile_update_and_language(client, make, auth):
    make.user("li4")
    auth.login("li4")
    response = client.post("/profile", data={"display_name": "李四", "phone": "13800000000", "locale": "en"})
    assert response.status_code == 303
    user = models.User.get(models.User.username == "li4")
    assert (user.display_name, user.phone, user.locale) == ("李四", "13800000000", "en")
    assert "My profile" in client.get("/profile").get_data(as_text=True)


def test_profile_rejects_bad_input(client, make, auth):
    make.user("li4", display_name="李四")
    auth.login("li4")
    response = client.post("/profile", data={"display_name": "", "phone": "abc", "locale": "xx"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请输入您的姓名。" in page and "请输入数字组成的电话号码。" in page
    assert models.User.get(models.User.username == "li4").display_name == "李四"


def test_profile_keeps_an_email_address_for_notices(client, make, auth):
    make.user("li4", display_name="李四")
    auth.login("li4")
    bad = client.post("/profile", data={"display_name": "李四", "email": "not-an-address", "locale": "zh_Hans"})
    assert bad.status_code == 422 and "请填写电子邮箱地址" in bad.get_data(as_text=True)
    assert "not-an-address" in bad.get_data(as_text=True)
    good = client.post("/profile", data={"display_name": "李四", "email": "li4@zhijiang.example", "locale": "zh_Hans"})
    assert good.status_code == 303
    assert models.User.get(models.User.username == "li4").email == "li4@zhijiang.example"


def test_password_change(client, make, auth):
    make.user("li4")
    auth.login("li4")
    wrong = client.post("/profile/password", data={"current": "bad", "password": "new-pass-1", "confirm": "new-pass-1"})
    assert wrong.status_code == 422
    assert "这不是您现在的密码。" in wrong.get_data(as_text=True)
    ok = client.post(
        "/profile/password", data={"current": "password123", "password": "new-pass-1", "confirm": "new-pass-1"}
    )
    assert ok.status_code == 303
    assert models.User.get(models.User.username == "li4").check_password("new-pass-1")


def test_temporary_password_must_be_changed_first(client, make, auth):
    make.user("temp", must_change_password=True)
    auth.login("temp")
    response = client.get("/profile")
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile/password"
    client.post(
        "/profile/password", data={"current": "password123", "password": "new-pass-1", "confirm": "new-pass-1"}
    )
    assert client.get("/profile").status_code == 200


def test_forms_without_a_csrf_token_are_refused(csrf_app, db):
    client = csrf_app.test_client()
    before = user_count()
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert user_count() == before
    assert client.post("/logout").status_code == 400
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_bad_csrf_token_is_refused(csrf_app, db):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "x", "password": "y", "csrf_token": "forged"})
    assert response.status_code == 400


def test_logout_is_post_only(client):
    assert client.get("/logout").status_code == 405
