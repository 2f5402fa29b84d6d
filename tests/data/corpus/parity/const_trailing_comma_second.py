x=f(0,)
y=const(1,)
