@dec
def g():
 f(x=1,a)
