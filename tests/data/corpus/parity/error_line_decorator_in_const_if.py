if "}":
 if .3:
    @micropython
    def f():pass
