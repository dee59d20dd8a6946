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

_CJK_LABEL = r"密码|口令|验证码|校验码|动态码|密钥|秘钥|私钥|PIN码"
_ASCII_LABEL = (
    r"pass(?:word|wd|code|phrase)|pwd|pin(?:[ \t]?code)?|otp"
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

# What may stand between a label and its value. A closing quote allows JSON ("password": "x").
_LABEL_CLOSE = r"[\"']?"
_STRONG_SEPARATOR = re.compile(
    _LABEL_CLOSE
    + r"(?:[ \t]+(?:is|was))?[ \t]*"
    + r"(?::=|[:：=]|(?:已?被?(?:重置|修改|更改|设置|改|设|换|变)(?:成|为))|是|为)了?"
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
    text = _URL_PASSWORD.sub(_keep_head, text)
    text = _AUTHORIZATION.sub(_keep_head, text)
    text = _BEARER.sub(_mask_bearer, text)
    text = _JWT.sub(MASK, text)
    return _mask_labelled(text)


def _mask_private_key(match: re.Match[str]) -> str:
    if match.group("end") is None:
        # A key pasted without its END line: everything after BEGIN may be key material.
        return f"{match.group('begin')}\n{MASK}"
    return f"{match.group('begin')}\n{MASK}\n{match.group('end')}"


def _keep_head(match: re.Match[str]) -> str:
    return match.group("head") + MASK


def _mask_bearer(match: re.Match[str]) -> str:
    value = match.group("value")
    # "bearer token expired" is prose; real tokens are long or at least contain digits.
    if value == MASK or len(value) >= _MIN_BEARER or re.search(r"[0-9]", value):
        return match.group("head") + MASK
    return match.group()


def _mask_labelled(text: str) -> str:
    pieces: list[str] = []
    position = 0
    search_from = 0
    while (label := _LABEL.search(text, search_from)) is not None:
        span = _secret_span(text, label)
        if span is None:
            # Resume right after the label, not after its rejected value: "password password:
            # x" must still find the second label.
            search_from = label.end()
            continue
        start, end = span
        pieces.append(text[position:start])
        pieces.append(MASK)
        position = search_from = end
    pieces.append(text[position:])
    return "".join(pieces)


def _secret_span(text: str, label: re.Match[str]) -> tuple[int, int] | None:
    after = label.end()
    strong = _STRONG_SEPARATOR.match(text, after)
    if strong is not None:
        span = _value_span(text, strong.end())
        if span is not None:
            return span
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
                return span
    if label.group("cjk") is not None:
        span = _value_span(text, after)
        if span is not None:
            value = text[span[0] : span[1]]
            if len(value) >= _MIN_BARE_VALUE and re.search(r"[0-9]", value):
                return span
    return None


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
