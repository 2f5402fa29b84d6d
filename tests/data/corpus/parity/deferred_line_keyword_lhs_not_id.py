while k:
 try:
  try:
   @micropython
   def g():pass
  except x:
   f([x,
z], a.b=[x,
z], *[x,
z])
 except:(());
 y
