def g():
 try:
  with f(**n,5):break
 except:s
 else:s;
