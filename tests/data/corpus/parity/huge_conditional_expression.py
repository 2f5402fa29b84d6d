x = 1 if 2**5**9 else 2
