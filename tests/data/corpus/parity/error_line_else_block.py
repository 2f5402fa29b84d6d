y=0
if x:
 f(**A,"")
else:
  f()
  g()
