"""Chinese phone numbers and internal extensions, as callers say them and operators type them.

The caller directory and the intake form accept whatever the operator typed or pasted: mobiles
with or without ``+86``, landlines with their area code in any punctuation, the international form
of a landline (which drops the trunk ``0``), extensions after ``转``, ``分机``, ``ext`` or a final
dash, full-width digits from a Chinese input method, bare internal extensions and short service
numbers. :func:`parse_phone` turns all of these into one :class:`PhoneNumber`.

Input that cannot be a phone number at all raises :class:`PhoneError`. Input that is merely
doubtful (an area code missing from the numbering plan, a landline typed without its area code)
is accepted and carries machine-readable warnings instead, because the operator on the line
usually knows better than the parser and must not be blocked mid-call.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, shortnumberinfo

from deskui.core.sanitize import sanitize_line

__all__ = [
    "PHONE_ERROR_CODES",
    "PhoneError",
    "PhoneKind",
    "PhoneNumber",
    "normalize_extension",
    "normalize_phone",
    "parse_phone",
    "phone_lookup_key",
    "phone_search_key",
]

PhoneKind = Literal["mobile", "landline", "service", "extension"]

_COUNTRY = "86"

# The numbering plan itself (which area codes exist, how long their local numbers are, which short
# numbers are public services, which ranges are mobile) comes from ``phonenumbers``, the maintained
# port of Google's libphonenumber; this module keeps what the plan does not say: labels, extensions
# and internal extensions as a desk writes them, and the warnings an operator sees.
_REGION = "CN"
_BUSINESS_NUMBER = re.compile(r"[48]00[0-9]{7}")
_LANDLINE_TYPES = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_BUSINESS_TYPES = frozenset(
    {PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST, PhoneNumberType.UAN}
)
_SAMPLE_LOCALS = tuple(lead + "1234567"[: length - 1] for length in (8, 7) for lead in "2345678")

_LABEL = re.compile(
    r"^(?:联系电话|办公电话|电话(?:号码)?|手机(?:号码?)?|座机|固话"
    r"|tel(?:ephone)?|phone|mobile|mob|cell)\s*(?::\s*)?",
    re.IGNORECASE,
)
_EXTENSION = re.compile(
    r"(?:转\s*(?:分机号?)?|分机号?|ext(?:ension)?\.?|x|#)\s*(?::\s*)?([0-9]+)\s*$",
    re.IGNORECASE,
)
_INTERNATIONAL_PREFIX = re.compile(r"^\(?\s*(?:\+|00)\s*")
_CLOSING_PAREN = re.compile(r"^\s*\)")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_NOT_ALLOWED = re.compile(rf"[^0-9\s.()/{re.escape(_DASHES)}]")
_DASH_TAIL = re.compile(rf"[{re.escape(_DASHES)}]\s*([0-9]{{1,6}})\s*$")
_DIGIT_GROUP = re.compile(r"[0-9]+")
# Any script's decimal digits (Arabic-Indic ٠-٩, Persian ۰-۹, Devanagari ० …); NFKC folds
# only the full-width ones.
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# What a number being typed into a search box may hold besides digits.
_PHONE_SHAPED = re.compile(rf"\s*(?:\+|00)?[0-9\s.()/{re.escape(_DASHES)}]*")
_PREFIXED_SEARCH = re.compile(r"^\s*(?:\+\s*|00)86")

_MAX_EXTENSION = 6
#: Longer input is parsed every time rather than kept (a pasted page is no number anyway).
_CACHED_LENGTH = 64
_QUOTE_LIMIT = 40


#: Every :attr:`PhoneError.code`: why an input cannot be a phone number.
PHONE_ERROR_CODES = (
    "empty",
    "no_digits",
    "unexpected_characters",
    "unsupported_country",
    "too_short",
    "too_long",
    "bad_length",
    "bad_mobile_prefix",
    "bad_area_code",
)


class PhoneError(ValueError):
    """Raised when the input cannot be a phone number at all.

    Attributes:
        code: Stable machine-readable reason: ``empty``, ``no_digits``,
            ``unexpected_characters``, ``unsupported_country``, ``too_short``, ``too_long``,
            ``bad_length``, ``bad_mobile_prefix`` or ``bad_area_code``.
        message: The English explanation, also the exception's ``str()``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A parsed phone number.

    Attributes:
        kind: ``mobile``, ``landline``, ``service`` (short or 400/800 numbers) or ``extension``
            (an internal extension dialled on its own).
        national: The number as dialled inside China: a landline keeps its trunk ``0`` and area
            code (``01088888888``); an internal extension is just its digits.
        area_code: The landline area code with its ``0`` (``010``), or None.
        extension: Digits dialled after the main number connects, or None.
        warnings: Machine codes for doubtful input that was still accepted:
            ``unusual_length``, ``unknown_area_code``, ``landline_without_area_code``,
            ``unusual_local_number``, ``missing_trunk_prefix``, ``leading_zero_on_mobile``,
            ``unexpected_extension``.
    """

    kind: PhoneKind
    national: str
    area_code: str | None = None
    extension: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def local(self) -> str:
        """The national number without its area code."""
        if self.area_code is None:
            return self.national
        return self.national[len(self.area_code) :]

    @property
    def e164(self) -> str | None:
        """The international form (``+8613800138000``), for mobiles and area-coded landlines.

        Service numbers, internal extensions and landlines without an area code have no
        unambiguous international form, so they give None. The extension is not part of E.164.
        """
        if self.kind == "mobile":
            return f"+{_COUNTRY}{self.national}"
        if self.kind == "landline" and self.area_code is not None:
            return f"+{_COUNTRY}{self.national[1:]}"
        return None

    @property
    def display(self) -> str:
        """The number grouped the way Chinese operators read it aloud.

        ``138 0013 8000``, ``010-8888 8888``, ``0755-888 8888``, ``400-810-8888``, with
        `` 转 123`` appended for an extension.
        """
        if self.kind == "mobile":
            main = f"{self.national[:3]} {self.national[3:7]} {self.national[7:]}"
        elif self.kind == "landline":
            local = _group_local(self.local)
            main = local if self.area_code is None else f"{self.area_code}-{local}"
        elif _BUSINESS_NUMBER.fullmatch(self.national):
            main = f"{self.national[:3]}-{self.national[3:6]}-{self.national[6:]}"
        else:
            main = self.national
        if self.extension is None:
            return main
        return f"{main} 转 {self.extension}"

    @property
    def digits(self) -> str:
        """The national number followed by the extension digits, with nothing between."""
        return self.national + (self.extension or "")


def parse_phone(text: str) -> PhoneNumber:
    """Parse a Chinese phone number, landline with extension, service number or extension.

    Full-width digits and punctuation are folded first; spaces, dashes, dots, slashes and
    parentheses are ignored; a leading label such as ``手机:`` or ``Tel:`` is skipped. The
    country code may be written ``+86``, ``0086``, ``(+86)`` or, when it stands apart from the
    rest, a bare ``86``. An extension follows ``转``, ``分机``, ``ext``, ``ext.``, ``x`` or ``#``,
    or a final dash when the landline before it is already complete
    (``010-88888888-8001``).

    Args:
        text: What the operator typed or pasted.

    Returns:
        The parsed number, with warnings for input that is possible but doubtful.

    Raises:
        PhoneError: If the input cannot be a phone number; its ``code`` says why.
    """
    if len(text) > _CACHED_LENGTH:
        return _parse(text)
    # lists show a masked number a row (the same numbers again on every repaint): the answer,
    # or the refusal, is kept for the texts seen last
    outcome = _parse_remembered(text)
    if isinstance(outcome, PhoneError):
        raise PhoneError(outcome.code, outcome.message)
    return outcome


@lru_cache(maxsize=4096)
def _parse_remembered(text: str) -> PhoneNumber | PhoneError:
    try:
        return _parse(text)
    except PhoneError as error:
        return error


def _parse(text: str) -> PhoneNumber:
    body = _fold_digits(sanitize_line(text))
    if not body:
        raise PhoneError("empty", "No phone number was given.")
    if not _DIGIT_GROUP.search(body):
        raise PhoneError("no_digits", f"{_quote(body)} contains no digits.")
    body = _LABEL.sub("", body, count=1)

    extension: str | None = None
    marked = _EXTENSION.search(body)
    if marked is not None:
        extension = marked.group(1)
        body = body[: marked.start()].strip()
        if not _DIGIT_GROUP.search(body):
            return _bare_extension(body, extension)

    body, international = _strip_country_code(body)
    unexpected = _NOT_ALLOWED.search(body)
    if unexpected is not None:
        raise PhoneError(
            "unexpected_characters",
            f"{_quote(body)} contains {unexpected.group()!r}, which does not belong in a number.",
        )
    if not international:
        body, international = _strip_bare_country_code(body)

    try:
        number = _classify(_digits_of(body), international)
    except PhoneError as error:
        number, extension = _split_dash_extension(body, international, extension, error)
    return _with_extension(number, extension)


def normalize_phone(text: str) -> str:
    """Return the national digits of a phone number, the key it is stored and matched under.

    ``+86 138-0013-8000`` and ``１３８００１３８０００`` both give ``13800138000``;
    ``(010) 8888-8888 转 123`` gives ``01088888888`` (the extension is read from
    :func:`parse_phone`'s result when needed).

    Args:
        text: What the operator typed or pasted.

    Returns:
        Digits only.

    Raises:
        PhoneError: If the input cannot be a phone number.
    """
    return parse_phone(text).national


def phone_search_key(text: str) -> str:
    """Return the digits of a partly typed number, for substring search while typing.

    Unlike :func:`normalize_phone` this never fails and never guesses: full-width digits are
    folded and everything but digits is dropped. A leading ``+86`` or ``0086`` is dropped too,
    since stored numbers are national and would otherwise never contain the query.

    Args:
        text: The search box content.

    Returns:
        Digits only, possibly empty.
    """
    folded = _fold_digits(text)
    prefix = _PREFIXED_SEARCH.match(folded)
    if prefix is not None:
        folded = folded[prefix.end() :]
    return "".join(_DIGIT_GROUP.findall(folded))


def phone_lookup_key(text: str) -> str | None:
    """The digits to look for among stored numbers when ``text`` is a phone number being typed.

    Any spelling of a number finds it: ``155 6759 5473``, ``155-6759-5473``,
    ``+86 155-6759-5473``, ``+8615567595473``, ``0086 155 6759 5473`` and ``8615567595473`` all
    give ``15567595473``. A complete number gives its national digits; a partly typed one the
    digits typed so far.

    Args:
        text: The search box content.

    Returns:
        Digits, or None when the text holds anything but digits and a number's punctuation
        (a name, an employee id) or no digit at all.
    """
    folded = _fold_digits(sanitize_line(text))
    if not _PHONE_SHAPED.fullmatch(folded) or not _DIGIT_GROUP.search(folded):
        return None
    try:
        number = parse_phone(folded)
    except PhoneError:
        return phone_search_key(folded) or None
    return number.national


def normalize_extension(text: str) -> str | None:
    """An extension typed in its own field, as ASCII digits (``٨٠٠١`` and ``８００１`` give
    ``8001``; a leading ``转``, ``分机`` or ``ext`` is dropped).

    Args:
        text: What was typed.

    Returns:
        The digits, or None when the text is not an extension.
    """
    body = _fold_digits(sanitize_line(text))
    marked = _EXTENSION.fullmatch(body)
    if marked is not None:
        return marked.group(1)
    return body if body.isascii() and body.isdigit() else None


def _fold_digits(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    if folded.isascii():
        return folded
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), folded)


def _strip_country_code(body: str) -> tuple[str, bool]:
    prefix = _INTERNATIONAL_PREFIX.match(body)
    if prefix is None:
        return body, False
    rest = body[prefix.end() :]
    if not rest.startswith(_COUNTRY):
        raise PhoneError(
            "unsupported_country",
            f"{_quote(body)} is not a Chinese (+86) number; only Chinese numbers are supported.",
        )
    return _CLOSING_PAREN.sub("", rest[len(_COUNTRY) :], count=1), True


def _strip_bare_country_code(body: str) -> tuple[str, bool]:
    # A bare 86 is only a country code when it cannot be the start of the number itself:
    # written apart from enough digits for a full number, or glued to a complete mobile.
    groups = _DIGIT_GROUP.findall(body)
    digit_count = sum(len(group) for group in groups)
    if len(groups) > 1 and groups[0] == _COUNTRY and digit_count - 2 >= 9:
        start = body.index(_COUNTRY)
        return body[start + 2 :], True
    if len(groups) == 1 and re.fullmatch(r"861[3-9][0-9]{9}", groups[0]):
        start = body.index(_COUNTRY)
        return body[start + 2 :], True
    return body, False


def _classify(digits: str, international: bool) -> PhoneNumber:
    count = len(digits)
    if count == 0:
        raise PhoneError("too_short", "Only a country code was given, no number after it.")
    if international:
        if digits.startswith("0"):
            # "+86 (0)10 ...": the trunk 0 written in brackets after the country code.
            return _landline(digits)
        if digits.startswith("1") and count == 11:
            return _mobile(digits)
        if _is_business_number(digits):
            return PhoneNumber("service", digits)
        return _landline("0" + digits)
    if digits.startswith("0"):
        if count == 12 and digits[1] == "1" and digits[2] in "3456789":
            # Dialling 0 before an out-of-town mobile was once required and is still typed.
            mobile = _mobile(digits[1:])
            return replace(mobile, warnings=("leading_zero_on_mobile",))
        return _landline(digits)
    if count <= 2:
        raise PhoneError(
            "too_short",
            f"{digits} is too short: an extension has at least 3 digits.",
        )
    if count <= 6 and _is_service(digits):
        return PhoneNumber("service", digits)
    if count <= 6:
        return PhoneNumber("extension", digits)
    if _is_business_number(digits):
        return PhoneNumber("service", digits)
    if count <= 8:
        warnings = ["landline_without_area_code"]
        if digits[0] == "1":
            warnings.append("unusual_local_number")
        return PhoneNumber("landline", digits, warnings=tuple(warnings))
    if count == 11 and digits[0] == "1":
        return _mobile(digits)
    if count <= 11:
        return _without_trunk_prefix(digits)
    raise PhoneError(
        "too_long",
        f"{digits} has {count} digits, more than any Chinese number without a country code.",
    )


def _without_trunk_prefix(digits: str) -> PhoneNumber:
    # Nine to eleven digits not starting with 0 are usually an area code whose 0 was forgotten;
    # that guess is only taken when the area code really exists.
    number: PhoneNumber | None
    try:
        number = _landline("0" + digits)
    except PhoneError:
        number = None
    if number is not None and "unknown_area_code" not in number.warnings:
        return replace(number, warnings=(*number.warnings, "missing_trunk_prefix"))
    if re.match(r"1[3-9]", digits) and len(digits) < 11:
        raise PhoneError(
            "too_short",
            f"{digits} looks like a mobile number but has {len(digits)} digits; mobiles have 11.",
        )
    raise PhoneError(
        "bad_length",
        f"{digits} has {len(digits)} digits: too long for a local number, and no area code "
        "or mobile prefix fits.",
    )


def _mobile(digits: str) -> PhoneNumber:
    if digits[1] not in "3456789":
        raise PhoneError(
            "bad_mobile_prefix",
            f"{digits} has 11 digits but starts with {digits[:2]}; mobile numbers start with 13 "
            "to 19.",
        )
    return PhoneNumber("mobile", digits)


def _landline(digits: str) -> PhoneNumber:
    if len(digits) < 3:
        raise PhoneError("too_short", f"{digits} is too short for a number with an area code.")
    if digits[1] == "0":
        raise PhoneError(
            "bad_area_code",
            f"{digits} does not start with an area code; area codes are 0 and a digit 1 to 9.",
        )
    planned = _plan_number(digits)
    if planned is not None and phonenumbers.number_type(planned) in _LANDLINE_TYPES:
        area_length = phonenumbers.length_of_geographical_area_code(planned) + 1
        if area_length > 1:
            return _landline_parts(digits, area_length, [])
    # Not a number of the plan: the area code is read by the plan's rule of thumb (010 and 02x
    # have three digits, the others four) and the number is kept with a warning.
    area_length = 3 if digits[1] in "12" else 4
    area_code, local = digits[:area_length], digits[area_length:]
    if len(local) < 7:
        raise PhoneError(
            "too_short",
            f"{digits} is too short: after area code {area_code} come {len(local)} digits, "
            "a local number has 7 or 8.",
        )
    if len(local) > 8:
        raise PhoneError(
            "too_long",
            f"{digits} is too long: after area code {area_code} come {len(local)} digits, "
            "a local number has 7 or 8.",
        )
    # A known area whose numbers have another length (Beijing, Shenzhen and most cities moved
    # to eight digits long ago).
    doubt = "unusual_length" if _is_known_area(area_code) else "unknown_area_code"
    return _landline_parts(digits, area_length, [doubt])


def _landline_parts(digits: str, area_length: int, warnings: list[str]) -> PhoneNumber:
    area_code, local = digits[:area_length], digits[area_length:]
    if local[0] in "01":
        warnings.append("unusual_local_number")
    return PhoneNumber("landline", digits, area_code=area_code, warnings=tuple(warnings))


def _plan_number(national: str) -> phonenumbers.PhoneNumber | None:
    """The number as the plan knows it, or None when it is not a valid number of the plan."""
    try:
        number = phonenumbers.parse(national, _REGION)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


@lru_cache(maxsize=512)
def _is_known_area(area_code: str) -> bool:
    """Whether the plan has local numbers under ``area_code`` (with its trunk 0)."""
    for local in _SAMPLE_LOCALS:
        number = _plan_number(area_code + local)
        if number is not None and phonenumbers.number_type(number) in _LANDLINE_TYPES:
            return True
    return False


def _is_business_number(digits: str) -> bool:
    """The ten-digit 400 and 800 numbers that companies publish."""
    if not _BUSINESS_NUMBER.fullmatch(digits):
        return False
    number = _plan_number(digits)
    return number is not None and phonenumbers.number_type(number) in _BUSINESS_TYPES


def _is_service(digits: str) -> bool:
    """Public and carrier short numbers (110, 12345, 10086, 95588 …), dialled without area code."""
    try:
        number = phonenumbers.parse(digits, _REGION)
    except NumberParseException:
        return False
    return shortnumberinfo.is_valid_short_number_for_region(number, _REGION)


def _split_dash_extension(
    body: str, international: bool, extension: str | None, error: PhoneError
) -> tuple[PhoneNumber, str]:
    # A trailing "-8001" is only an extension when the digits before it already make a complete
    # landline; otherwise the dash is ordinary grouping and the original error stands.
    tail = None if extension is not None else _DASH_TAIL.search(body)
    if tail is None:
        raise error
    try:
        main = _classify(_digits_of(body[: tail.start()]), international)
    except PhoneError:
        raise error from None
    if main.kind != "landline" or main.area_code is None:
        raise error
    return main, tail.group(1)


def _with_extension(number: PhoneNumber, extension: str | None) -> PhoneNumber:
    if extension is None:
        return number
    warnings = list(number.warnings)
    if number.kind not in ("landline", "service"):
        warnings.append("unexpected_extension")
    if len(extension) > _MAX_EXTENSION:
        warnings.append("unusual_length")
    return replace(number, extension=extension, warnings=tuple(warnings))


def _bare_extension(rest: str, digits: str) -> PhoneNumber:
    if rest:
        raise PhoneError(
            "unexpected_characters",
            f"{_quote(rest)} before the extension is not a phone number.",
        )
    warnings = ("unusual_length",) if len(digits) > _MAX_EXTENSION else ()
    return PhoneNumber("extension", digits, warnings=warnings)


def _group_local(local: str) -> str:
    return f"{local[:-4]} {local[-4:]}" if len(local) > 4 else local


def _digits_of(text: str) -> str:
    return "".join(_DIGIT_GROUP.findall(text))


def _quote(text: str) -> str:
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return repr(text)
