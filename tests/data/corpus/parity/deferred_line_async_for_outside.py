while k:
 try:
  try:
   @micropython
   def g():pass
  except x:
   async for a in b:
    z;
 except:(());
 y
