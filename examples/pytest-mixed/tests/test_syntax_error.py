def test_never_runs():
    assert True


def broken(:
    pass
