import pytest


class Calculator:
    def add(self, a, b):
        return a + b

    def divide(self, a, b):
        return a / b


@pytest.fixture
def calculator():
    return Calculator()


@pytest.fixture(scope="session")
def greeting():
    return "hello"
