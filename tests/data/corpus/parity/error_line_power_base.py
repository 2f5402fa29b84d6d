with b(**A,""):
	(t.a)**2
