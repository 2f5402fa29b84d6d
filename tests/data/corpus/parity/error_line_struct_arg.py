y=0
if x:
 f(x=1,
 (a.b))
