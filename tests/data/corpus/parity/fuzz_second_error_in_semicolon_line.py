try:
  try:s
  finally:s
except:
 try:
  @micropython
  def f():()
 except:nonlocal a;