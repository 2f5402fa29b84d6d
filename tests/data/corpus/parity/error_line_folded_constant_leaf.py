if x:
 t(n=a,2/4)
else:
 f()
 g()
