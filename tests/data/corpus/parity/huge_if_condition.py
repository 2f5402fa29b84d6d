if 2**5**9:
  x = 1
else:
  y = 2
