try:
    @micropython
    def g():[]
except:
    _=const(5);
    x = 1
