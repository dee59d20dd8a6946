"""脱敏: phone numbers shortened for lists, secrets removed from free text, prose left alone."""

from __future__ import annotations

import pytest

from deskui.core.masking import MASK, mask_phone, mask_secrets

PHONES = [
    ("13800138000", "138****8000"),
    ("+86 138-0013-8000", "138****8000"),
    ("１３８００１３８０００", "138****8000"),
    ("13800138000 转 12", "138****8000 转 12"),
    ("010-88888888", "010-****8888"),
    ("(010) 8888-8888", "010-****8888"),
    ("+86 10 8888 8888", "010-****8888"),
    ("010-88888888 转 123", "010-****8888 转 123"),
    ("010-88888888-8001", "010-****8888 转 8001"),
    ("0755-8888888", "0755-****8888"),
    ("88888888", "****8888"),
    ("8001", "8001"),
    ("分机 12", "分机 12"),
    ("ext 8001", "ext 8001"),
    ("95588", "95588"),
    ("110", "110"),
    ("400-810-8888", "400-810-8888"),
    # unparseable: first 3 and last 2 when longer than 6, otherwise all stars
    ("hello world", "hel******ld"),
    ("138001380001234", "138**********34"),
    ("abc1234", "abc**34"),
    ("abcdef", "******"),
    ("12", "**"),
    ("", ""),
    ("  ", ""),
    ("\x1b[31m13800138000\x1b[0m", "138****8000"),
]


@pytest.mark.parametrize(("text", "expected"), PHONES)
def test_mask_phone(text: str, expected: str) -> None:
    assert mask_phone(text) == expected


@pytest.mark.parametrize(("text", "expected"), PHONES)
def test_mask_phone_is_idempotent(text: str, expected: str) -> None:
    assert mask_phone(expected) == expected
    assert mask_phone(mask_phone(text)) == mask_phone(text)


MASKED = [
    ("密码: abc123", "密码: ******"),
    ("密码：abc123", "密码：******"),
    ("密码 : abc123", "密码 : ******"),
    ("密码是abc123", "密码是******"),
    ("密码是：abc123", "密码是：******"),
    ("密码为 abc123", "密码为 ******"),
    ("我的密码是 abc123，请尽快修改", "我的密码是 ******，请尽快修改"),
    ("密码改成了Abc@123", "密码改成了******"),
    ("密码已重置为 Temp#2024", "密码已重置为 ******"),
    ("登录密码：P@ss w0rd", "登录密码：******"),
    ("口令 xyz", "口令 ******"),
    ("动态口令：886412", "动态口令：******"),
    ("验证码 123456", "验证码 ******"),
    ("短信验证码是 123456。", "短信验证码是 ******。"),
    ("验证码123456", "验证码******"),
    ("密码123456", "密码******"),
    ("PIN码 8888", "PIN码 ******"),
    ("password=hunter2", "password=******"),
    ("Password: hunter2", "Password: ******"),
    ("PASSWORD = hunter2", "PASSWORD = ******"),
    ("the password is hunter2.", "the password is ******."),
    ("password hunter2", "password ******"),
    ("passwd x", "passwd ******"),
    ("pwd: x", "pwd: ******"),
    ("passcode: 2468", "passcode: ******"),
    ("PIN 1234", "PIN ******"),
    ("pin code 1234", "pin code ******"),
    ("otp 123456", "otp ******"),
    ("token: abc.def", "token: ******"),
    ("access token abc123xyz", "access token ******"),
    ("secret=s3cr3t", "secret=******"),
    ("client_secret=abc", "client_secret=******"),
    ("api_key=sk-123", "api_key=******"),
    ("API key: AKIA1234", "API key: ******"),
    ("x-api-key: abc", "x-api-key: ******"),
    ("DB_PASSWORD=foo", "DB_PASSWORD=******"),
    ('{"password": "hunter 2", "user": "zs"}', '{"password": "******", "user": "zs"}'),
    ("password='it''s'", "password='******''s'"),
    ("密码“abc 123”", "密码“******”"),
    ("密码：“abc 123”", "密码：“******”"),
    ("密码：\nabc123", "密码：\n******"),
    ("密码(VPN)：abc", "密码(VPN)：******"),
    ("password for the VPN: hunter2", "password for the VPN: ******"),
    ("password for root = toor", "password for root = ******"),
    ("password password: abc", "password password: ******"),
    ("新密码为 Xy12!;旧密码是abc", "新密码为 ******;旧密码是******"),
    ("password: Passw0rd!", "password: ******"),
    ("账号 zhangsan 密码 zs@2024 谢谢", "账号 zhangsan 密码 ****** 谢谢"),
    ("Authorization: Bearer abc.def.ghi", "Authorization: Bearer ******"),
    ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ******"),
    ("use bearer abcdefghijklmnop1234", "use bearer ******"),
    ("curl -H 'Bearer 9f8e7d6c'", "curl -H 'Bearer ******'"),
    ("https://admin:Pa55@db.local/x", "https://admin:******@db.local/x"),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl here",
        "jwt ****** here",
    ),
    (
        "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----\nok",
        "key:\n-----BEGIN RSA PRIVATE KEY-----\n******\n-----END RSA PRIVATE KEY-----\nok",
    ),
    (
        "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\n******\n-----END PRIVATE KEY-----",
    ),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r\n(rest not pasted)",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n******",
    ),
    (
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOY\n-----END PGP PRIVATE KEY BLOCK-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n******\n-----END PGP PRIVATE KEY BLOCK-----",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_secrets_are_masked_and_labels_kept(text: str, expected: str) -> None:
    assert mask_secrets(text) == expected


# What callers and agents were seen to type past the first rules (issue 11, section 5).
MISSED_BEFORE = [
    ("pw: hunter2", "pw: ******"),
    ("pass: hunter2", "pass: ******"),
    ("PW=hunter2", "PW=******"),
    ("wifi key: Xy9#kk", "wifi key: ******"),
    ("WiFi-Key Xy9#kk", "WiFi-Key ******"),
    ("账号admin/admin123", "账号admin/******"),
    ("帐号：admin/admin123，已登录", "帐号：admin/******，已登录"),
    ("login: root/toor", "login: root/******"),
    ("密码\n\nhunter2", "密码\n\n******"),
    ("密码：\n\n  hunter2  \n谢谢", "密码：\n\n  ******  \n谢谢"),
    ("password\n\n\nXy9#kk\nbye", "password\n\n\n******\nbye"),
    ("mysql -uroot -phunter2 -h db1", "mysql -uroot -p****** -h db1"),
    ("mysqldump -u root -p'se cret' shop", "mysqldump -u root -p'******' shop"),
    ("sshpass -p hunter2 ssh root@host", "sshpass -p ****** ssh root@host"),
    ("ｐａｓｓｗｏｒｄ: x", "ｐａｓｓｗｏｒｄ: ******"),
    ("ＰＡＳＳＷＯＲＤ＝ｈｕｎｔｅｒ２", "ＰＡＳＳＷＯＲＤ＝******"),
    ("pass\u200bword: hunter2", "pass\u200bword: ******"),
    ("密\u200b码：abc123", "密\u200b码：******"),
    ("password:\u200b hunter2", "password:\u200b ******"),
    ("密码是 P@ss w0rd", "密码是 ******"),
    ("password: P@ss w0rd and more", "password: ****** and more"),
    ("银行卡密码 6位 123456", "银行卡密码 6位 ******"),
    ("银行卡密码6位：123456", "银行卡密码6位：******"),
    ("PIN (4 digits) 1234", "PIN (4 digits) ******"),
    ("密碼：hunter2", "密碼：******"),
    ("驗證碼 123456", "驗證碼 ******"),
    ("PGPASSWORD=hunter2 psql -h db1", "PGPASSWORD=****** psql -h db1"),
    ("export DB_PASSWORD='se cret'", "export DB_PASSWORD='******'"),
    ("GITHUB_TOKEN=ghp_abcdef123456 git push", "GITHUB_TOKEN=****** git push"),
    ("curl -u admin:hunter2 http://x", "curl -u admin:****** http://x"),
    ("wget --user=admin:hunter2 http://x", "wget --user=admin:****** http://x"),
]


@pytest.mark.parametrize(("text", "expected"), MISSED_BEFORE)
def test_secrets_missed_before_are_masked(text: str, expected: str) -> None:
    masked = mask_secrets(text)
    assert masked == expected
    assert mask_secrets(masked) == masked


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("密码是 P@ss w0rd", "w0rd"),
        ("银行卡密码 6位 123456", "123456"),
        ("mysql -uroot -phunter2", "hunter2"),
        ("ｐａｓｓｗｏｒｄ: Ｓｅｃｒｅｔ１", "Ｓｅｃｒｅｔ１"),
    ],
)
def test_no_part_of_the_secret_is_left(text: str, secret: str) -> None:
    assert secret not in mask_secrets(text)


UNCHANGED = [
    "忘记密码了",
    "忘记密码了，请帮忙重置",
    "密码错误",
    "密码为空",
    "密码是不是过期了",
    "密码：见附件",
    "密码 已经发给你了",
    "请重置密码，谢谢",
    "密码3次输错被锁定",
    "密码学课程",
    "验证码已发送",
    "验证码 收不到",
    "password reset needed",
    "Password expired yesterday",
    "password is wrong",
    "the password has expired",
    "password policy requires 12 characters",
    "Reset password at 10:30",
    "need a password reset: please call back",
    "PIN locked",
    "pin the ticket to the top",
    "token expired",
    "token ring network",
    "top secret project",
    "secret question",
    "Bearer token expired",
    "Authorization: approved by the manager",
    "my passwords are all different",
    "run pwd in the shell",
    "passwordless login",
    "password:",
    "密码：",
    'password=""',
    "no secrets here at all",
    "打印机卡纸 🖨️",
    "pass the ticket to the network team",
    "pass: the test",
    "the exam was a pass",
    "密码 6位",
    "密码\n\n请帮忙重置",
    "Password\n\nexpired",
    "password\n\nreset needed now",
    "mysql -u root -p shop",
    "user/group permissions",
    "the login page/portal is down",
    "账号/密码都忘了",
    "",
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_prose_that_mentions_secrets_is_unchanged(text: str) -> None:
    assert mask_secrets(text) == text


@pytest.mark.parametrize("text", [source for source, _ in MASKED] + UNCHANGED)
def test_mask_secrets_is_idempotent(text: str) -> None:
    once = mask_secrets(text)
    assert mask_secrets(once) == once


def test_masked_values_never_survive_anywhere_in_the_output() -> None:
    text = "用户张三来电，密码：Zs@2024!，验证码 884213，token=ghp_abcdef123456，已处理。"
    masked = mask_secrets(text)
    for secret in ["Zs@2024!", "884213", "ghp_abcdef123456"]:
        assert secret not in masked
    assert masked.count(MASK) == 3
    assert masked.startswith("用户张三来电，密码：")
    assert masked.endswith("，已处理。")


def test_large_text_is_masked() -> None:
    unit = "普通描述文字 password reset needed 密码：abc123 忘记密码了 "
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    masked = mask_secrets(text)
    assert "abc123" not in masked
    assert mask_secrets(masked) == masked


def test_large_text_without_labels_is_unchanged() -> None:
    text = "x" * 100_000
    assert mask_secrets(text) == text
    assert mask_phone(text) == "xxx" + "*" * (100_000 - 5) + "xx"
