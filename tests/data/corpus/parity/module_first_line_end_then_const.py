\

x=const(1)
y
