if 2**5**9 or y:
    z
