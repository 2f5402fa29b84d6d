def outer(a, b=2, *args, c, d=4, **kw):
    total = a + b
    def inner(x):
        nonlocal total
        total += x
        return total
    return inner
