x=1
def f(a,
 a):s
