\

_=const(0)
