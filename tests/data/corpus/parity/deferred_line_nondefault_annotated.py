while k:
 try:
  try:
   @micropython
   def g():pass
  except x:
   def f(a=1, b:int, c=[x,
z]):
    z;
 except:(());
 y
