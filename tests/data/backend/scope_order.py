def f(x=lambda: y.attr1):
    return z.attr2
