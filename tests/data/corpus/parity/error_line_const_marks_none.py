with b(**A,""):
	_C=const(1)
	g()
