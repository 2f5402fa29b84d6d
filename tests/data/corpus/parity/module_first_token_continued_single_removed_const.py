\
_=const(0)
