while k:
 try:
  try:
   @micropython
   def g():pass
  except x:
   f(a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,*h,[x,
z])
 except:(());
 y
