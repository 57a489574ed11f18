import pytest


@pytest.mark.parametrize("a, b, total", [(1, 2, 3), (2, 2, 4), (0, 0, 0), (-1, 1, 0)])
def test_sum(calculator, a, b, total):
    assert calculator.add(a, b) == total


@pytest.mark.parametrize("word", ["level", "noon", "racecar"], ids=["five", "four", "seven"])
def test_palindrome(word):
    assert word == word[::-1]
