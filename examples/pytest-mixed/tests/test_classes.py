import pytest


class TestStack:
    def setup_method(self):
        self.items = []

    def test_starts_empty(self):
        assert self.items == []

    def test_pushes(self):
        self.items.append(1)
        assert self.items == [1]

    @pytest.mark.slow
    def test_pops(self):
        self.items.append(1)
        assert self.items.pop() == 1


class TestNested:
    class TestInner:
        def test_inner(self, greeting):
            assert greeting == "hello"
