def test_adds(calculator):
    assert calculator.add(2, 3) == 5


def test_divides(calculator):
    assert calculator.divide(6, 3) == 2


def test_greets(greeting):
    assert greeting.startswith("he")
