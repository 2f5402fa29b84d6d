def g():
 x = (super
)().f()
