def f():
   o in[]
   try:()
   except:(math.tau:=N)
