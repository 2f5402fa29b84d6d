with[](y or n in t)as n,b(**A,""):
	(t or i)**()