import pytest


def test_adds(calculator):
    assert calculator.add(1, 1) == 2


def test_adds_wrongly(calculator):
    print("adding 2 and 2")
    assert calculator.add(2, 2) == 5


def test_divides_by_zero(calculator):
    calculator.divide(1, 0)
