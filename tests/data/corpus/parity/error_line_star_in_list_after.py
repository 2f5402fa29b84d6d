with b(**A,""):
	y=[*t.a,u]
