while k:
 try:
  try:
   @micropython
   def g():pass
  except x:
   async with a, b:
    z;
 except:(());
 y
