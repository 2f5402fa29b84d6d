\
_=const(0)
f