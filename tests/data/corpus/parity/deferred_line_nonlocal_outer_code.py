while k:
 try:
  try:
   @micropython
   def g():pass
  except x:
   nonlocal t
 except:(());
 y
