def outer(a, b):
    def inner(c):
        return a + c
    return inner
