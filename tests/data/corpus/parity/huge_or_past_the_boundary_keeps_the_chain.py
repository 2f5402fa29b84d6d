if 2**6275040 or y:
    z
