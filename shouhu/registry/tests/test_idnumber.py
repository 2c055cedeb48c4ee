"""Identity numbers (GB 11643-1999; DOMAIN.md §6.2, §8.8): every cause of invalidity, as tables."""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from django.utils import translation

from shouhu.registry import idnumber
from shouhu.registry.choices import Sex
from shouhu.registry.idnumber import IdNumberError

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("text", "birth_date", "sex"),
    [
        ("360426199101010071", date(1991, 1, 1), Sex.MALE),  # verified in DOMAIN.md §6.2
        ("120103198806018241", date(1988, 6, 1), Sex.FEMALE),  # verified in DOMAIN.md §6.2
        ("11010519491231002X", date(1949, 12, 31), Sex.FEMALE),  # the standard's own example, check X
    ],
)
def test_valid_numbers_give_birth_date_and_sex(text, birth_date, sex):
    number = idnumber.parse(text, today=TODAY)
    assert number.value == text
    assert number.birth_date == birth_date
    assert number.sex == sex
    assert number.address_code == text[:6]


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("３６０４２６１９９１０１０１００７１", "360426199101010071"),  # full-width digits
        (" 360426 19910101 0071 ", "360426199101010071"),  # spaces
        ("360426\u3000199101010071", "360426199101010071"),  # ideographic space
        ("360426\t199101010071\n", "360426199101010071"),
        ("11010519491231002x", "11010519491231002X"),  # lower-case x
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),  # full-width x
    ],
)
def test_numbers_are_normalised_before_validation(typed, value):
    assert idnumber.normalise(typed) == value
    assert idnumber.parse(typed, today=TODAY).value == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("360426199101010072", IdNumberError.CHECK),  # DOMAIN.md §6.2: invalid
        ("360426199101010017", IdNumberError.CHECK),  # two digits swapped
        ("11010519491231002Y", IdNumberError.CHARACTERS),
        ("1101051949123100X2", IdNumberError.CHARACTERS),  # X only as the last character
        ("36042619910101007a", IdNumberError.CHARACTERS),
        ("360426-19910101-0071", IdNumberError.CHARACTERS),
        ("36042619910101007", IdNumberError.LENGTH),
        ("3604261991010100711", IdNumberError.LENGTH),
        ("36042619910101007X1", IdNumberError.CHARACTERS),
        ("3604261991010100X", IdNumberError.LENGTH),  # 17 characters ending in X: too short
        ("", IdNumberError.LENGTH),
        ("990426199101010071", IdNumberError.PROVINCE),
        ("000426199101010071", IdNumberError.PROVINCE),
        ("720426199101010071", IdNumberError.PROVINCE),
        ("360426199102300071", IdNumberError.BIRTH_DATE),  # 30 February
        ("360426199113010071", IdNumberError.BIRTH_DATE),  # month 13
        ("360426199101000071", IdNumberError.BIRTH_DATE),  # day 0
        ("360426201902290071", IdNumberError.BIRTH_DATE),  # 29 February of a common year
        ("360426089101010071", IdNumberError.BIRTH_DATE),  # year 891: a mistyped year
        ("360426202506020071", IdNumberError.FUTURE),  # the day after TODAY
        ("360426203001010071", IdNumberError.FUTURE),
        ("360426910101007", IdNumberError.LEGACY),  # 15 digits: the first-generation card
    ],
)
def test_each_invalid_number_has_its_own_cause(text, code):
    with pytest.raises(IdNumberError) as caught:
        idnumber.parse(text, today=TODAY)
    assert caught.value.code == code


def test_a_birth_date_of_today_is_not_in_the_future():
    text = idnumber.make("370902", TODAY, 0, Sex.MALE)
    assert idnumber.parse(text, today=TODAY).birth_date == TODAY


def test_without_today_a_future_birth_date_is_not_checked():
    text = idnumber.make("370902", date(2099, 1, 1), 0, Sex.MALE)
    assert idnumber.parse(text).birth_date == date(2099, 1, 1)


@pytest.mark.parametrize("province", sorted(idnumber.PROVINCE_CODES))
def test_every_province_code_is_accepted(province):
    text = idnumber.make(province + "0101", date(2010, 5, 10), 7, Sex.FEMALE)
    assert idnumber.parse(text, today=TODAY).value[:2] == province


def test_the_province_list_has_the_mainland_provinces_taiwan_hong_kong_and_macao():
    codes = set(idnumber.PROVINCE_CODES)
    assert len(codes - {"71", "81", "82", "83"}) == 31
    assert {"71", "81", "82"} <= codes


def test_an_abolished_district_code_is_still_a_valid_number():
    # 370802 (济宁市中区) was abolished in 2013; numbers issued there stay valid for life (§8.8).
    text = idnumber.make("370802", date(2005, 3, 1), 12, Sex.MALE)
    assert idnumber.parse(text, today=TODAY).address_code == "370802"


@pytest.mark.parametrize(
    ("legacy", "converted"),
    [
        ("360426910101007", "360426199101010071"),
        ("110105491231002", "11010519491231002X"),
    ],
)
def test_a_15_digit_number_is_refused_with_its_18_character_form_offered(legacy, converted):
    assert idnumber.convert_15_to_18(legacy) == converted
    with pytest.raises(IdNumberError) as caught:
        idnumber.parse(legacy, today=TODAY)
    assert caught.value.code == IdNumberError.LEGACY
    assert converted in caught.value.message


@pytest.mark.parametrize(
    ("legacy", "code"),
    [
        ("360426910230007", IdNumberError.BIRTH_DATE),  # no 30 February
        ("990426910101007", IdNumberError.PROVINCE),
        ("36042691010100", IdNumberError.LENGTH),
        ("36042691010100X", IdNumberError.LENGTH),
    ],
)
def test_a_bad_15_digit_number_is_refused_for_its_own_cause(legacy, code):
    with pytest.raises(IdNumberError) as caught:
        idnumber.parse(legacy, today=TODAY)
    assert caught.value.code == code


def test_messages_say_the_cause_in_english_and_chinese():
    with pytest.raises(IdNumberError) as caught:
        idnumber.parse("36042619910101007", today=TODAY)
    with translation.override("en"):
        assert caught.value.message == "An identity number has 18 characters; this one has 17."
        assert str(caught.value) == caught.value.message
    with translation.override("zh-hans"):
        assert "18" in caught.value.message
        assert "17" in caught.value.message


def test_the_future_birth_date_is_shown_in_the_language_of_the_reader():
    with pytest.raises(IdNumberError) as caught:
        idnumber.parse("360426203001010071", today=TODAY)
    with translation.override("en"):
        assert "2030" in caught.value.message
        assert "Jan" in caught.value.message
    with translation.override("zh-hans"):
        assert "2030年1月1日" in caught.value.message


def test_a_bad_character_is_named_with_its_position():
    with pytest.raises(IdNumberError) as caught:
        idnumber.parse("36042619910101O071", today=TODAY)  # a letter O for a zero
    assert caught.value.reason.args == {"position": 15, "char": "O"}


@pytest.mark.parametrize(
    ("form_birth", "form_sex", "codes"),
    [
        (date(1991, 1, 1), Sex.MALE, []),
        (None, None, []),
        (date(1991, 1, 2), Sex.MALE, [IdNumberError.BIRTH_DATE_MISMATCH]),
        (date(1991, 1, 1), Sex.FEMALE, [IdNumberError.SEX_MISMATCH]),
        (date(1990, 1, 1), Sex.FEMALE, [IdNumberError.BIRTH_DATE_MISMATCH, IdNumberError.SEX_MISMATCH]),
        (None, "female", [IdNumberError.SEX_MISMATCH]),
        (date(1991, 1, 1), "", []),
    ],
)
def test_check_against_the_form(form_birth, form_sex, codes):
    number = idnumber.parse("360426199101010071")
    problems = idnumber.check_against(number, birth_date=form_birth, sex=form_sex)
    assert [problem.code for problem in problems] == codes


def test_a_sex_mismatch_names_both_sexes_in_the_reader_language():
    number = idnumber.parse("120103198806018241")
    (problem,) = idnumber.check_against(number, birth_date=None, sex=Sex.MALE)
    with translation.override("en"):
        assert "gives the sex Female" in problem.message
        assert "entered is Male" in problem.message


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("360426199101010071", "3604**********0071"),
        ("11010519491231002X", "1101**********002X"),
    ],
)
def test_masked_shows_the_first_and_last_four_characters(text, masked):
    assert idnumber.parse(text).masked() == masked
    assert str(idnumber.parse(text)) == masked  # never the full number by accident


@pytest.mark.parametrize("sex", [Sex.MALE, Sex.FEMALE])
@pytest.mark.parametrize("sequence", [0, 1, 250, 499])
@pytest.mark.parametrize("born", [date(2008, 2, 29), date(2024, 12, 31), date(1950, 1, 1)])
def test_make_generates_valid_numbers_of_the_given_sex_and_birth_date(sex, sequence, born):
    text = idnumber.make("370911", born, sequence, sex)
    number = idnumber.parse(text, today=TODAY)
    assert number.sex == sex
    assert number.birth_date == born
    assert number.address_code == "370911"


def test_make_gives_500_different_numbers_per_sex_and_day():
    numbers = {idnumber.make("370902", date(2015, 6, 1), n, sex) for n in range(500) for sex in Sex}
    assert len(numbers) == 1000


@pytest.mark.parametrize(
    ("address", "born", "sequence"),
    [("37090", date(2015, 1, 1), 0), ("37090a", date(2015, 1, 1), 0), ("370902", date(2015, 1, 1), 500)],
)
def test_make_refuses_what_cannot_be_a_number(address, born, sequence):
    with pytest.raises(ValueError):  # noqa: PT011 (the message is for the programmer)
        idnumber.make(address, born, sequence, Sex.MALE)


def test_is_valid():
    assert idnumber.is_valid("360426199101010071")
    assert not idnumber.is_valid("360426199101010072")


def test_an_error_survives_pickling_for_background_jobs():
    with pytest.raises(IdNumberError) as caught:
        idnumber.parse("36042619910101007", today=TODAY)
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 (our own object)
    assert (copy.code, copy.reason) == (caught.value.code, caught.value.reason)
