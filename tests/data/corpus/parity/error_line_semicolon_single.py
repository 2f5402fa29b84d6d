with b(**A,""):
	x;
