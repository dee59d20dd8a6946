"""Parsing Chinese phone numbers the way operators type them: accept, warn, or refuse."""

from __future__ import annotations

import contextlib

import pytest

from deskui.core.phone import (
    PhoneError,
    PhoneNumber,
    normalize_extension,
    normalize_phone,
    parse_phone,
    phone_lookup_key,
    phone_search_key,
)

MOBILE_SPELLINGS = [
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "138.0013.8000",
    "(138) 0013 8000",
    "+86 138-0013-8000",
    "+8613800138000",
    "+86 13800138000",
    "(+86) 138 0013 8000",
    "0086 13800138000",
    "008613800138000",
    "86-138 0013 8000",
    "86 13800138000",
    "8613800138000",
    "１３８００１３８０００",
    "＋８６ １３８ ００１３ ８０００",
    "１３８－００１３－８０００",
    "手机：13800138000",
    "手机号 138 0013 8000",
    "Mobile: +86 138 0013 8000",
    "  13800138000  ",
    "\x1b[31m13800138000\x1b[0m",
]


@pytest.mark.parametrize("text", MOBILE_SPELLINGS)
def test_every_spelling_of_a_mobile_gives_the_same_number(text: str) -> None:
    number = parse_phone(text)
    assert number == PhoneNumber("mobile", "13800138000")
    assert number.e164 == "+8613800138000"
    assert number.display == "138 0013 8000"
    assert number.digits == "13800138000"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_mobile_prefixes_13_to_19_are_valid(prefix: str) -> None:
    number = parse_phone(prefix + "012345678")
    assert number.kind == "mobile"
    assert number.warnings == ()


# (input, national, area code, extension, warnings)
LANDLINES = [
    ("010-88888888", "01088888888", "010", None, ()),
    ("(010) 8888-8888", "01088888888", "010", None, ()),
    ("（０１０）８８８８－８８８８", "01088888888", "010", None, ()),
    ("010 8888 8888", "01088888888", "010", None, ()),
    ("01088888888", "01088888888", "010", None, ()),
    ("+86 10 8888 8888", "01088888888", "010", None, ()),
    ("+86-10-88888888", "01088888888", "010", None, ()),
    ("86 10 8888 8888", "01088888888", "010", None, ()),
    ("+86 (0)10 8888 8888", "01088888888", "010", None, ()),
    ("0086 21 6666 6666", "02166666666", "021", None, ()),
    ("020-83838383", "02083838383", "020", None, ()),
    ("029-88888888", "02988888888", "029", None, ()),
    ("0755-88888888", "075588888888", "0755", None, ()),
    # Shenzhen's local numbers have had eight digits since 1996: seven is doubtful
    ("0755-8888888", "07558888888", "0755", None, ("unusual_length",)),
    ("+86 755 8888 8888", "075588888888", "0755", None, ()),
    ("0571-87654321", "057187654321", "0571", None, ()),
    ("0898-66666666", "089866666666", "0898", None, ()),
    ("0351 7654321", "03517654321", "0351", None, ()),
    ("Tel: 010-88888888", "01088888888", "010", None, ()),
    ("电话：0755-88888888", "075588888888", "0755", None, ()),
    # extensions
    ("010-88888888 转123", "01088888888", "010", "123", ()),
    ("010-88888888转 123", "01088888888", "010", "123", ()),
    ("010-88888888 转 123", "01088888888", "010", "123", ()),
    ("010-88888888 转分机 123", "01088888888", "010", "123", ()),
    ("010-88888888-8001", "01088888888", "010", "8001", ()),
    ("010-8888-8888-8001", "01088888888", "010", "8001", ()),
    ("0755-8888888-12", "07558888888", "0755", "12", ("unusual_length",)),
    ("0755-88888888-12", "075588888888", "0755", "12", ()),
    ("+86 10 8888 8888-8001", "01088888888", "010", "8001", ()),
    ("010-88888888 ext 12", "01088888888", "010", "12", ()),
    ("010-88888888 ext.12", "01088888888", "010", "12", ()),
    ("010-88888888 EXT. 12", "01088888888", "010", "12", ()),
    ("010-88888888 extension 12", "01088888888", "010", "12", ()),
    ("010-88888888 x12", "01088888888", "010", "12", ()),
    ("010-88888888x12", "01088888888", "010", "12", ()),
    ("010-88888888 分机 12", "01088888888", "010", "12", ()),
    ("010-88888888 分机号：12", "01088888888", "010", "12", ()),
    ("010-88888888#12", "01088888888", "010", "12", ()),
    # doubtful but possible: accepted with warnings
    ("010-8888888", "0108888888", "010", None, ("unusual_length",)),
    ("0300-2345678", "03002345678", "0300", None, ("unknown_area_code",)),
    ("026-88888888", "02688888888", "026", None, ("unknown_area_code",)),
    ("011-88888888", "01188888888", "011", None, ("unknown_area_code",)),
    ("010-08888888", "01008888888", "010", None, ("unusual_local_number",)),
    ("1088888888", "01088888888", "010", None, ("missing_trunk_prefix",)),
    ("75588888888", "075588888888", "0755", None, ("missing_trunk_prefix",)),
    ("88888888", "88888888", None, None, ("landline_without_area_code",)),
    ("8888-888", "8888888", None, None, ("landline_without_area_code",)),
    ("88888888 转 12", "88888888", None, "12", ("landline_without_area_code",)),
    (
        "12345678",
        "12345678",
        None,
        None,
        ("landline_without_area_code", "unusual_local_number"),
    ),
    ("010-88888888 转 1234567", "01088888888", "010", "1234567", ("unusual_length",)),
]


@pytest.mark.parametrize(("text", "national", "area", "extension", "warnings"), LANDLINES)
def test_landlines(
    text: str,
    national: str,
    area: str | None,
    extension: str | None,
    warnings: tuple[str, ...],
) -> None:
    assert parse_phone(text) == PhoneNumber("landline", national, area, extension, warnings)


def test_a_full_landline_is_preferred_over_a_dash_extension() -> None:
    # Eleven digits already make a Beijing number, so the last group is not an extension.
    assert parse_phone("010-8888888-8") == PhoneNumber("landline", "01088888888", "010")


SERVICE_NUMBERS = [
    "110",
    "112",
    "114",
    "119",
    "120",
    "122",
    "12345",
    "12306",
    "12315",
    "10086",
    "10010",
    "10000",
    "95588",
    "95555",
    "95533",
    "96110",
    "955888",
    "4008108888",
    "8008108888",
]


@pytest.mark.parametrize("text", SERVICE_NUMBERS)
def test_service_numbers(text: str) -> None:
    number = parse_phone(text)
    assert number == PhoneNumber("service", text)
    assert number.e164 is None


@pytest.mark.parametrize("text", ["101", "200", "888", "8001", "23456", "666666", "1234"])
def test_bare_short_numbers_are_internal_extensions(text: str) -> None:
    number = parse_phone(text)
    assert number == PhoneNumber("extension", text)
    assert number.e164 is None
    assert number.display == text


@pytest.mark.parametrize(
    ("text", "national"),
    [
        ("分机 12", "12"),
        ("分机：8001", "8001"),
        ("ext 12", "12"),
        ("x8001", "8001"),
        ("转 66", "66"),
    ],
)
def test_a_lone_marked_extension_is_an_internal_extension(text: str, national: str) -> None:
    assert parse_phone(text) == PhoneNumber("extension", national)


@pytest.mark.parametrize(
    ("text", "kind", "warnings"),
    [
        ("013800138000", "mobile", ("leading_zero_on_mobile",)),
        ("13800138000 转 12", "mobile", ("unexpected_extension",)),
        ("8001 转 12", "extension", ("unexpected_extension",)),
        ("95588 转 1", "service", ()),
        ("分机 1234567", "extension", ("unusual_length",)),
    ],
)
def test_other_doubtful_input_is_warned_about(
    text: str, kind: str, warnings: tuple[str, ...]
) -> None:
    number = parse_phone(text)
    assert number.kind == kind
    assert number.warnings == warnings


@pytest.mark.parametrize(
    ("text", "e164", "display", "digits"),
    [
        ("13800138000", "+8613800138000", "138 0013 8000", "13800138000"),
        ("010-88888888", "+861088888888", "010-8888 8888", "01088888888"),
        ("010-88888888 转 123", "+861088888888", "010-8888 8888 转 123", "01088888888123"),
        ("0755-8888888", "+867558888888", "0755-888 8888", "07558888888"),
        ("0755 88888888", "+8675588888888", "0755-8888 8888", "075588888888"),
        ("88888888", None, "8888 8888", "88888888"),
        ("8888888", None, "888 8888", "8888888"),
        ("400-810-8888", None, "400-810-8888", "4008108888"),
        ("800 810 8888", None, "800-810-8888", "8008108888"),
        ("95588", None, "95588", "95588"),
        ("8001", None, "8001", "8001"),
        ("13800138000 x 5", "+8613800138000", "138 0013 8000 转 5", "138001380005"),
    ],
)
def test_e164_display_and_digits(text: str, e164: str | None, display: str, digits: str) -> None:
    number = parse_phone(text)
    assert number.e164 == e164
    assert number.display == display
    assert number.digits == digits


def test_display_round_trips() -> None:
    for text in ["13800138000", "010-88888888 转 123", "0755-8888888", "4008108888", "8001"]:
        number = parse_phone(text)
        assert parse_phone(number.display) == number


REFUSED = [
    ("", "empty"),
    ("   ", "empty"),
    ("\x1b[0m\x00", "empty"),
    ("abc", "no_digits"),
    ("---", "no_digits"),
    ("转", "no_digits"),
    ("12", "too_short"),
    ("7", "too_short"),
    ("0", "too_short"),
    ("+86", "too_short"),
    ("+86 1234", "too_short"),
    ("0108888", "too_short"),
    ("010-888888", "too_short"),
    ("0755-123456", "too_short"),
    ("1380013800", "too_short"),
    ("138 0013 800", "too_short"),
    ("010888888888", "too_long"),
    ("010 8888 8888 8001", "too_long"),
    ("138001380001", "too_long"),
    ("138-0013-8000-1234", "too_long"),
    ("13800138000 13900139000", "too_long"),
    ("10012345678", "bad_mobile_prefix"),
    ("11012345678", "bad_mobile_prefix"),
    ("12012345678", "bad_mobile_prefix"),
    ("+86 12012345678", "bad_mobile_prefix"),
    ("999999999", "bad_length"),
    ("1288888888", "bad_length"),
    ("+1 202 555 0100", "unsupported_country"),
    ("00852 2345 6789", "unsupported_country"),
    ("+886 2 2345 6789", "unsupported_country"),
    ("hello 138", "unexpected_characters"),
    ("138-0013-8000 (张三)", "unexpected_characters"),
    ("010 88888888 转", "unexpected_characters"),
    ("13800138000!", "unexpected_characters"),
    ("call 分机 12", "unexpected_characters"),
]


@pytest.mark.parametrize(("text", "code"), REFUSED)
def test_impossible_input_is_refused_with_a_code(text: str, code: str) -> None:
    with pytest.raises(PhoneError) as caught:
        parse_phone(text)
    assert caught.value.code == code
    assert str(caught.value) == caught.value.message
    assert caught.value.message[0].isupper() or caught.value.message[0] in "'0123456789"


def test_phone_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="contains no digits"):
        parse_phone("no number here")


def test_error_messages_quote_long_input_briefly() -> None:
    with pytest.raises(PhoneError) as caught:
        parse_phone("a" * 500 + "1")
    assert len(caught.value.message) < 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+86 138-0013-8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("(010) 8888-8888 转 123", "01088888888"),
        ("+86 10 8888 8888", "01088888888"),
        ("8001", "8001"),
        ("95588", "95588"),
    ],
)
def test_normalize_phone(text: str, expected: str) -> None:
    assert normalize_phone(text) == expected


def test_normalize_phone_refuses_what_parse_refuses() -> None:
    with pytest.raises(PhoneError):
        normalize_phone("abc")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("138", "138"),
        ("138-00", "13800"),
        ("１３８ ００", "13800"),
        ("(010) 88", "01088"),
        ("+86 138", "138"),
        ("＋８６ １３８", "138"),
        ("0086 138", "138"),
        ("86 138", "86138"),  # a bare 86 may be the start of the number itself
        ("", ""),
        ("abc", ""),
        ("张三 138", "138"),
        ("010-8888 转 12", "010888812"),
    ],
)
def test_phone_search_key(text: str, expected: str) -> None:
    assert phone_search_key(text) == expected


def test_search_key_of_a_prefix_is_a_substring_of_the_stored_key() -> None:
    stored = normalize_phone("138 0013 8000")
    for typed in ["1", "13", "138 0", "138-0013", "０１３８", "8000"]:
        assert phone_search_key(typed) in stored


def test_phone_number_is_immutable() -> None:
    number = parse_phone("13800138000")
    with pytest.raises(AttributeError):
        number.national = "0"  # type: ignore[misc]  # writing a frozen field on purpose


@pytest.mark.parametrize(
    "text",
    [
        " " * 100_000 + "1",
        "x" + " " * 100_000 + "a",
        "转" + " " * 100_000 + "a",
        "-" + " " * 100_000 + "1234567a",
        "1 " * 50_000,
        "1" * 100_000,
    ],
)
def test_long_hostile_input_is_handled(text: str) -> None:
    with contextlib.suppress(PhoneError):
        parsed = parse_phone(text)
        assert len(parsed.national) <= 20
    assert phone_search_key(text).isdigit() or phone_search_key(text) == ""


# Every spelling of one mobile finds its caller (issue 11: only "155 6759 5473" did).
ONE_MOBILE_SPELLED = [
    "155 6759 5473",
    "155-6759-5473",
    "+86 155-6759-5473",
    "+8615567595473",
    "008615567595473",
    "0086 155 6759 5473",
    "8615567595473",
    "１５５－６７５９－５４７３",
    "١٥٥٦٧٥٩٥٤٧٣",  # Arabic-Indic digits
]


@pytest.mark.parametrize("text", ONE_MOBILE_SPELLED)
def test_lookup_key_of_every_spelling_is_the_national_number(text: str) -> None:
    assert phone_lookup_key(text) == "15567595473"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("155-67", "15567"),
        ("+86 155", "155"),
        ("0086 1556", "1556"),
        ("(010) 8888", "0108888"),
        ("8001", "8001"),
        ("张三", None),
        ("E20001", None),
        ("zs", None),
        ("+", None),
        ("", None),
        ("155%", None),
    ],
)
def test_lookup_key_of_partial_and_other_input(text: str, expected: str | None) -> None:
    assert phone_lookup_key(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8001", "8001"),
        ("٨٠٠١", "8001"),  # Arabic-Indic
        ("۸۰۰۱", "8001"),  # Persian (Extended Arabic-Indic)
        ("８００１", "8001"),
        ("转 ٨٠٠١", "8001"),
        ("ext. 12", "12"),
        ("分机12", "12"),
        ("80a1", None),
        ("八〇〇一", None),
        ("", None),
    ],
)
def test_normalize_extension(text: str, expected: str | None) -> None:
    assert normalize_extension(text) == expected


def test_an_arabic_indic_extension_after_a_number_is_read() -> None:
    number = parse_phone("010-88888888 转 ١٢٣")
    assert (number.national, number.extension) == ("01088888888", "123")
    assert parse_phone("٠١٠-٨٨٨٨٨٨٨٨") == parse_phone("010-88888888")


def test_the_numbering_plan_knows_area_codes_and_lengths() -> None:
    # From phonenumbers' metadata, not a table of our own: an area code the plan has, one it
    # lacks, and a city whose local numbers have eight digits.
    assert parse_phone("0931-8888888").warnings in ((), ("unusual_length",))
    assert parse_phone("0931-88888888").area_code == "0931"
    assert parse_phone("0300-2345678").warnings == ("unknown_area_code",)
    assert parse_phone("021-6666666").warnings == ("unusual_length",)


def test_a_remembered_answer_is_the_same_answer() -> None:
    # lists parse the same numbers on every repaint: the second answer comes from memory
    assert parse_phone("0755-88888888 转 12") is parse_phone("0755-88888888 转 12")
    refusals = []
    for _ in range(2):
        with pytest.raises(PhoneError) as caught:
            parse_phone("138-0013-800")
        refusals.append(caught.value)
    assert [r.code for r in refusals] == ["too_short", "too_short"]
    assert refusals[0] is not refusals[1]  # a fresh error each time, never one re-raised
