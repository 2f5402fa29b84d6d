x = 2**5**9 and y
