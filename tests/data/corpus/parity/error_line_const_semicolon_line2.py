try:
    @micropython
    def g():[]
except:
    _=const(5); _Y=const(6)
    x = 1
