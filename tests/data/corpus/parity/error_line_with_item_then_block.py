with b(**A,""):
	f()
	g()
