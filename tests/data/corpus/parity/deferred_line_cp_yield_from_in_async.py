async def g():
 try:
  @micropython
  def g():s
 except'':yield from x
 except:s;
