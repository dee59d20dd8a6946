"""脱敏: hiding personal numbers and secrets in text that is stored or shown to other people.

Two separate jobs. :func:`mask_phone` shortens a requester's number for lists, where the whole
number is not needed to recognise a caller. :func:`mask_secrets` removes passwords, one-time
codes, tokens and private keys that callers read out or paste into a description, before the
text reaches the database; the label stays, so the record still says that a password was given.

Both functions are idempotent: masking masked text changes nothing.
"""

from __future__ import annotations

import re

from deskui.core.phone import PhoneError, parse_phone
from deskui.core.sanitize import sanitize_line

__all__ = ["MASK", "mask_phone", "mask_secrets"]

MASK = "******"

_PHONE_STARS = "****"
_VISIBLE_HEAD = 3
_VISIBLE_TAIL = 2
_SHORTEST_PARTLY_VISIBLE = 7

# Outputs of mask_phone itself; recognised so that masking them again leaves them alone.
_MASKED_PHONE = re.compile(r"(?:[0-9]{3}\*{4}|(?:0[0-9]{2,3}-)?\*{4})[0-9]{4}(?: 转 [0-9]+)?")


def mask_phone(text: str) -> str:
    """Return a phone number with its identifying middle hidden, for lists and search results.

    A mobile keeps its first 3 and last 4 digits (``138****8000``); a landline keeps its area
    code and last 4 digits (``010-****8888``); both keep an extension. Internal extensions and
    public service numbers are not personal and are shown whole. Anything that does not parse
    keeps its first 3 and last 2 characters when longer than 6 characters, and is all ``*``
    otherwise.

    Args:
        text: A phone number as stored or typed.

    Returns:
        The masked number, or an empty string for empty input.
    """
    line = sanitize_line(text)
    if not line or _MASKED_PHONE.fullmatch(line):
        return line
    try:
        number = parse_phone(line)
    except PhoneError:
        return _mask_unparsed(line)
    if number.kind == "mobile":
        masked = f"{number.national[:3]}{_PHONE_STARS}{number.national[-4:]}"
    elif number.kind == "landline":
        last = number.local[-4:]
        prefix = "" if number.area_code is None else f"{number.area_code}-"
        masked = f"{prefix}{_PHONE_STARS}{last}"
    else:
        # Shown as typed: reformatting could turn "分机 12" into a bare "12", which no longer
        # parses and would be starred on a second pass.
        return line
    if number.extension is not None:
        masked = f"{masked} 转 {number.extension}"
    return masked


def _mask_unparsed(line: str) -> str:
    # The length is kept so that a second pass sees the same head and tail and changes nothing.
    if len(line) < _SHORTEST_PARTLY_VISIBLE:
        return "*" * len(line)
    hidden = len(line) - _VISIBLE_HEAD - _VISIBLE_TAIL
    return line[:_VISIBLE_HEAD] + "*" * hidden + line[-_VISIBLE_TAIL:]


# --- secrets in free text -------------------------------------------------------------------
#
# The heuristic: a secret is a value token that directly follows a label naming a secret
# (密码, 口令, 验证码, password, PIN, token, api_key ...) and a separator. How sure the match is
# depends on the separator:
#
# * a strong separator (":", "：", "=", "是", "为", "改为" ...) says "the value follows", so any
#   value is masked;
# * a weak separator (spaces, or English "is"/"was") is also how ordinary prose continues
#   ("password reset needed", "token expired"), so the value is masked only when it is not a
#   common word; after the labels that are also everyday English words (token, secret, PIN,
#   key ...) it must moreover hold a digit or a symbol, so "secret project" stays readable, and a
#   value ending in ":" or "=" is the next label, not a value;
# * a Chinese label with no separator at all ("密码123456") is masked only when the value is at
#   least four characters and holds a digit, since "密码3次输错" is prose.
#
# A value never contains whitespace or CJK characters, so "忘记密码了", "密码为空" and
# "密码：见附件" stay as they are. Quoted values are masked inside their quotes. A trailing full
# stop, comma, semicolon or closing bracket is taken for sentence punctuation and left visible.

_CJK_LABEL = (
    r"密码|口令|验证码|校验码|动态码|密钥|秘钥|私钥|PIN码"
    r"|密碼|驗證碼|校驗碼|動態碼|密鑰|祕鑰|秘鑰|私鑰|PIN碼"  # as Taiwan and Hong Kong write them
)
_ASCII_LABEL = (
    r"(?:wi-?fi|wlan|wpa2?|network)[ \t_-]?key"
    r"|pass(?:word|wd|code|phrase)?|pwd|pw|pin(?:[ \t]?code)?|otp"
    r"|api[ \t_-]?key|apikey|access[ \t_-]?key|secret[ \t_-]?key|private[ \t_-]?key"
    r"|client[ \t_-]?secret|secret|token"
)
_LABEL = re.compile(
    rf"(?P<cjk>{_CJK_LABEL})|(?<![A-Za-z0-9])(?P<ascii>{_ASCII_LABEL})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Labels that mean nothing but a password, so a bare word after them is likely the password.
_PASSWORD_LABEL = re.compile(r"pass(?:word|wd|code|phrase)|pwd", re.IGNORECASE)
_NOT_ONLY_LETTERS = re.compile(r"[^A-Za-z]")
# Labels too short or too common to announce a secret without a ":" or "=" after them.
_STRONG_ONLY_LABEL = re.compile(r"pass|pw", re.IGNORECASE)

# What may stand between a label and its value. A closing quote allows JSON ("password": "x").
_LABEL_CLOSE = r"[\"']?"
_STRONG_SEPARATOR = re.compile(
    _LABEL_CLOSE
    + r"(?:[ \t]+(?:is|was))?[ \t]*"
    + r"(?::=|[:：=＝]|(?:已?被?(?:重置|修改|更改|设置|改|设|换|变)(?:成|为))|是|为)了?"
    + r"[ \t]*(?:[:：][ \t]*)?\n?[ \t]*",
    re.IGNORECASE,
)
_WEAK_SEPARATOR = re.compile(r"[ \t]+(?:(?:is|was)[ \t]+)?", re.IGNORECASE)
# A parenthesis or "for <name>" may qualify the label before a strong separator:
# "密码(VPN)：x", "password for root: x". The last qualifier character is not a digit, so the
# colon of a time ("reset at 10:30") is never taken for a separator.
_QUALIFIER = re.compile(
    r"[ \t]*[(（][^()（）\n]{1,30}[)）]"
    r"|[ \t]+(?:for|of|on)(?:[ \t]+[^\s:：=]{0,29}[^\s:：=0-9]){1,2}",
    re.IGNORECASE,
)

_VALUE_STOP = (
    r"\s\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20"
    r"\"'“”‘’「」"
)
_VALUE = re.compile(rf"[^{_VALUE_STOP}]+")
_QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|“[^”\n]*”|‘[^’\n]*’|「[^」\n]*」")
# "!" and "?" are common last characters of real passwords, so they stay inside the mask.
_TRAILING_PUNCTUATION = ".,;)]}"

_MIN_BARE_VALUE = 4

# Words that commonly follow a secret's label in ordinary prose. Only consulted after a weak
# separator, where a real secret and a sentence look alike.
_COMMON_WORDS = frozenset(
    """
    a about above account after again age all also an and any are as at attached auth
    authentication based be been before below box but by can cannot change changed changes
    changing check code complexity could current default dialog did does doesn't done entry
    error errors expiration expire expired expires expiring expiry fail failed fails failure
    field fields file for forgot forgotten form from generated generator had has have here hint
    history how if in incorrect input into invalid is issue issues it its just length lock
    locked lockout login logon manager may might must my need needed needs new no none not now
    of old on once one only or our page pass password passwords passwd phrase pin please
    policies policy problem problems prompt protected protection question questions recover
    recovery refresh reminder request requested required requirement requirements reset resets
    rule rules same screen secret secrets see sent set should sign so still strength sync that
    the their then there these this those to token tokens too twice update updated updates
    user users uses using valid validation vault verification via was wasn't were when which
    will window with without won't wrong would you your
    """.split()
)

_PRIVATE_KEY = re.compile(
    r"(?P<begin>-----BEGIN (?P<kind>[A-Z0-9 ]*?)PRIVATE KEY(?: BLOCK)?-----)"
    r"(?:.*?(?P<end>-----END (?P=kind)PRIVATE KEY(?: BLOCK)?-----)|.*\Z)",
    re.DOTALL,
)
_AUTHORIZATION = re.compile(
    r"(?<![A-Za-z0-9])(?P<head>authorization[ \t]*[:：=][ \t]*"
    r"(?:basic|bearer|token|digest)[ \t]+)(?P<value>[^\s\"',;]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(
    r"(?<![A-Za-z0-9])(?P<head>bearer[ \t]+)(?P<value>[A-Za-z0-9\-._~+/]+=*)",
    re.IGNORECASE,
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")
# The lookbehind makes the scheme start at a word start; without it a long run of letters would
# be rescanned from every position.
_URL_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.-])(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:)(?P<value>[^\s/@]+)(?=@)"
)

_MIN_BEARER = 16

# A secret in an environment variable (PGPASSWORD=hunter2 psql, DB_PASSWORD='x', GITHUB_TOKEN=…):
# the label is glued to the variable's other words, so the label rules do not see it.
_ENV_NAME = r"(?<![A-Za-z0-9_])[A-Z0-9_]*(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY)[A-Z0-9_]*="
_ENV_SECRET = re.compile(_ENV_NAME + r"(?P<value>[^\s\"'，。；]+)")
_ENV_SECRET_QUOTED = re.compile(_ENV_NAME + r"(?P<quote>[\"'])(?P<value>[^\"'\n]+)(?P=quote)")
# curl and wget take the account and its password together: curl -u admin:hunter2, --user=a:b.
_USER_OPTION = re.compile(
    r"(?<=[ \t])(?:-u|--user|--http-user)(?:[ \t]+|=)?[^\s:\"']+:(?P<value>[^\s\"'，。；]+)"
)

# A length said between the label and the secret: "密码 6位 123456", "PIN 4 digits: 1234".
_LENGTH_NOTE = re.compile(
    r"[ \t]*[(（]?[ \t]*[0-9一二三四五六七八九十]{1,2}[ \t-]*"
    r"(?:位|个字符|个数字|digits?|chars?|characters?)(?:数字|数|的)?[)）]?",
    re.IGNORECASE,
)
# Line breaks between a label and its value, the label's own line holding nothing more.
_LINE_GAP = re.compile(r"(?:[ \t]*\n)+[ \t]*")
_REST_OF_LINE = re.compile(r"[ \t]*(?:\n|\Z)")
_NEXT_WORD = re.compile(rf"[ \t](?P<word>[^{_VALUE_STOP}]+)")
# Database clients take the password glued to -p (mysql -uroot -phunter2; a space after -p
# names a database instead); sshpass takes it after -p with or without a space.
_CLIENT_COMMAND = re.compile(
    r"(?<![\w./-])(?:(?P<client>mysql(?:dump|admin|import|show|check|sh)?|mariadb[\w-]*)"
    r"|sshpass)(?=[ \t])"
)
_GLUED_PASSWORD = re.compile(r"(?<=[ \t])-p(?P<value>\"[^\"\n]+\"|'[^'\n]+'|[^\s\"']+)")
_SPACED_PASSWORD = re.compile(
    r"(?<=[ \t])-p[ \t]*(?P<value>\"[^\"\n]+\"|'[^'\n]+'|[^\s\"'-][^\s\"']*)"
)
# An account and its password written together: "账号admin/admin123", "login: root/toor" (an
# English label needs its ":" or "=": "the login page/portal" is prose).
_ACCOUNT_PAIR = re.compile(
    r"(?:(?:账号|帐号|账户|帐户|用户名|登录名|登陆名)[ \t]*(?:[:：=][ \t]*)?"
    r"|(?<![A-Za-z0-9])(?:account|user(?:[ \t_-]?name)?|login)[ \t]*[:：=][ \t]*)"
    rf"[^{_VALUE_STOP}/]+/(?P<value>[^{_VALUE_STOP}/]*[^{_VALUE_STOP}/.,;)\]}}])",
    re.IGNORECASE,
)


def mask_secrets(text: str) -> str:
    """Replace secrets in free text with ``******``, keeping the label that announced them.

    Masked: values after a secret's label (``密码: abc123`` becomes ``密码: ******``;
    ``password=hunter2``, ``口令 xyz``, ``PIN 1234``, ``验证码 123456``, ``token: ...``,
    ``api_key=...`` alike), the body of PEM private keys, bearer and other ``Authorization``
    credentials, JSON web tokens and the password in ``scheme://user:password@host``. Prose
    that merely mentions a secret (``忘记密码了``, ``password reset needed``) is unchanged; the
    module comment above the label patterns describes the heuristic.

    Args:
        text: Free text such as a ticket description or worklog entry.

    Returns:
        The text with secret values replaced. Masking the result again changes nothing.
    """
    # Key blocks are cut out before the label rules run: their armour lines ("PRIVATE KEY
    # BLOCK-----") would otherwise read as a label followed by a value.
    pieces: list[str] = []
    position = 0
    for key in _PRIVATE_KEY.finditer(text):
        pieces.append(_mask_prose(text[position : key.start()]))
        pieces.append(_mask_private_key(key))
        position = key.end()
    pieces.append(_mask_prose(text[position:]))
    return "".join(pieces)


def _mask_prose(text: str) -> str:
    # The rules run on a folded copy (full-width letters and digits as ASCII, invisible
    # characters dropped), so that "ｐａｓｓｗｏｒｄ" or a zero-width space inside "pass\u200bword"
    # still reads as a label; the spans they find are mapped back onto the original text.
    folded, origin = _fold(text)
    spans = [
        *_group_spans(_URL_PASSWORD, folded),
        *_group_spans(_ENV_SECRET, folded),
        *_group_spans(_ENV_SECRET_QUOTED, folded),
        *_group_spans(_USER_OPTION, folded),
        *_group_spans(_AUTHORIZATION, folded),
        *_bearer_spans(folded),
        *((m.start(), m.end()) for m in _JWT.finditer(folded)),
        *_command_spans(folded),
        *_account_spans(folded),
        *_labelled_spans(folded),
    ]
    if not spans:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in _merged(spans):
        first, last = origin[start], origin[end - 1] + 1
        pieces.append(text[position:first])
        pieces.append(MASK)
        position = last
    pieces.append(text[position:])
    return "".join(pieces)


# Characters that print as nothing: zero-width space, non-joiner, joiner, word joiner,
# byte-order mark, soft hyphen, and the left-to-right, right-to-left and Arabic letter marks.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c")
_FULL_WIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_NEEDS_FOLDING = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u200b-\u200f\u2060\ufeff\u00ad\u061c]"
)


def _fold(text: str) -> tuple[str, list[int]]:
    """The text as the rules read it, and for each of its characters the original index."""
    if _NEEDS_FOLDING.search(text) is None:
        return text, list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _INVISIBLE:
            continue
        if _FULL_WIDTH_ALNUM.match(char):
            char = chr(ord(char) - 0xFEE0)
        chars.append(char)
        origin.append(index)
    return "".join(chars), origin


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _group_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span("value") for m in pattern.finditer(text)]


def _mask_private_key(match: re.Match[str]) -> str:
    if match.group("end") is None:
        # A key pasted without its END line: everything after BEGIN may be key material.
        return f"{match.group('begin')}\n{MASK}"
    return f"{match.group('begin')}\n{MASK}\n{match.group('end')}"


def _bearer_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _BEARER.finditer(text):
        value = match.group("value")
        # "bearer token expired" is prose; real tokens are long or at least contain digits.
        if value == MASK or len(value) >= _MIN_BEARER or re.search(r"[0-9]", value):
            spans.append(match.span("value"))
    return spans


def _command_spans(text: str) -> list[tuple[int, int]]:
    """Passwords given on a command line: ``mysql -uroot -phunter2``, ``sshpass -p x ssh``."""
    spans = []
    for command in _CLIENT_COMMAND.finditer(text):
        flag = _GLUED_PASSWORD if command.group("client") else _SPACED_PASSWORD
        for option in flag.finditer(text, command.end(), _line_end(text, command.end())):
            spans.append(_unquoted(option.span("value"), text))
    return spans


def _account_spans(text: str) -> list[tuple[int, int]]:
    """The password half of an account given as ``user/password`` (``账号admin/admin123``)."""
    return [m.span("value") for m in _ACCOUNT_PAIR.finditer(text)]


def _labelled_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    search_from = 0
    while (label := _LABEL.search(text, search_from)) is not None:
        span = _secret_span(text, label)
        if span is None:
            # Resume right after the label, not after its rejected value: "password password:
            # x" must still find the second label.
            search_from = label.end()
            continue
        spans.append(span)
        search_from = span[1]
    return spans


def _secret_span(text: str, label: re.Match[str]) -> tuple[int, int] | None:
    after = label.end()
    word = label.group("ascii")
    note = _LENGTH_NOTE.match(text, after)
    if note is not None:
        # "银行卡密码 6位 123456": the length is said before the secret, never the secret.
        return _value_after_note(text, label, note.end())
    strong_only = word is not None and _STRONG_ONLY_LABEL.fullmatch(word) is not None
    strong = _STRONG_SEPARATOR.match(text, after)
    if strong is not None:
        span = _value_span(text, strong.end())
        if span is not None and not (
            strong_only and text[span[0] : span[1]].lower() in _COMMON_WORDS
        ):
            return _continued(text, span)
    if strong_only:
        return None
    below = _value_below(text, label, strong.end() if strong is not None else after)
    if below is not None:
        return below
    weak = _WEAK_SEPARATOR.match(text, after)
    if weak is not None:
        span = _value_span(text, weak.end())
        if span is not None and _plausible_after_weak(label, text[span[0] : span[1]]):
            return span
    qualifier = _QUALIFIER.match(text, after)
    if qualifier is not None:
        strong = _STRONG_SEPARATOR.match(text, qualifier.end())
        if strong is not None:
            span = _value_span(text, strong.end())
            if span is not None:
                return _continued(text, span)
    if label.group("cjk") is not None:
        span = _value_span(text, after)
        if span is not None:
            value = text[span[0] : span[1]]
            if len(value) >= _MIN_BARE_VALUE and re.search(r"[0-9]", value):
                return span
    return None


def _value_after_note(text: str, label: re.Match[str], start: int) -> tuple[int, int] | None:
    strong = _STRONG_SEPARATOR.match(text, start)
    if strong is not None:
        span = _value_span(text, strong.end())
        return None if span is None else _continued(text, span)
    weak = _WEAK_SEPARATOR.match(text, start)
    span = _value_span(text, weak.end() if weak is not None else start)
    if span is None or not re.search(r"[0-9]", text[span[0] : span[1]]):
        return None
    return span


def _value_below(text: str, label: re.Match[str], start: int) -> tuple[int, int] | None:
    """A secret alone on a line after blank lines: ``密码`` ``\n\n`` ``hunter2``."""
    gap = _LINE_GAP.match(text, start)
    if gap is None:
        return None
    span = _value_span(text, gap.end())
    if span is None or _REST_OF_LINE.match(text, span[1]) is None:
        return None
    value = text[span[0] : span[1]]
    return span if _plausible_after_weak(label, value) else None


def _continued(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The value with the words after it that are still part of it (``P@ss w0rd``).

    After a strong separator a secret may hold a space; a following word belongs to it while it
    holds a digit or a symbol and is neither a common word nor the next ``key=value``.
    """
    start, end = span
    if start > 0 and text[start - 1] in "\"'“‘「":
        return span
    while True:
        word = _NEXT_WORD.match(text, end)
        if word is None:
            return start, end
        token = word.group("word").rstrip(_TRAILING_PUNCTUATION)
        if (
            not token
            or token.lower() in _COMMON_WORDS
            or _NOT_ONLY_LETTERS.search(token) is None
            or not any(char.isalnum() for char in token)
            or any(char in ":=([{（" for char in token)
        ):
            return start, end
        end = word.start("word") + len(token)


def _unquoted(span: tuple[int, int], text: str) -> tuple[int, int]:
    start, end = span
    if end - start > 2 and text[start] in "\"'" and text[end - 1] == text[start]:
        return start + 1, end - 1
    return span


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _value_span(text: str, start: int) -> tuple[int, int] | None:
    quoted = _QUOTED.match(text, start)
    if quoted is not None:
        if quoted.end() - quoted.start() <= 2:
            return None
        return quoted.start() + 1, quoted.end() - 1
    value = _VALUE.match(text, start)
    if value is None:
        return None
    end = value.end()
    while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
        end -= 1
    if end == start:
        return None
    return start, end


def _plausible_after_weak(label: re.Match[str], value: str) -> bool:
    if value.endswith((":", "=")) or value.lower() in _COMMON_WORDS:
        return False
    word = label.group("ascii")
    if word is None or _PASSWORD_LABEL.fullmatch(word):
        return True
    return value == MASK or _NOT_ONLY_LETTERS.search(value) is not None
