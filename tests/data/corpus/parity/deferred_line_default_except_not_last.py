while k:
 try:
  try:
   @micropython
   def g():pass
  except x:
   try:pass
   except:pass
   except x:
    z;
   else:
    z;
 except:(());
 y
