def h():
 while k:
  try:
   try:
    @micropython
    def g():pass
   except x:
    super().m([x,
z])
  except:(());
  y
