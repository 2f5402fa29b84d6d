x = y and 2**5**9 and z
