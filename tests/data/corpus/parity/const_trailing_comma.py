B=const(0,)
