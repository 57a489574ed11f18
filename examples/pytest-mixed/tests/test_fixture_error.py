import pytest


@pytest.fixture
def database():
    raise ConnectionError("no database at localhost:5432")


@pytest.fixture
def flaky_cleanup():
    yield 42
    raise RuntimeError("cleanup failed")


def test_without_fixture():
    assert 1 + 1 == 2


def test_queries(database):
    assert database is not None


def test_cleans_up(flaky_cleanup):
    assert flaky_cleanup == 42
