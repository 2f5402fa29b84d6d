class C:
 try:
  with f(**n,5):return
 except:s
 else:s;
