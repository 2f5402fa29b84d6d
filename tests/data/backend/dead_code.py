def f():
    a = 2.5
    return
    b.zork = "dead string here!"
    def g(): pass
    return 7.5
x = 1.5
