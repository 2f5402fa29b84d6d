if x:
    R = const()
  y
