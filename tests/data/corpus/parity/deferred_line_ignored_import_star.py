def g():
 try:
  with f(**n,5):from . import *
 except:s
 else:s;
