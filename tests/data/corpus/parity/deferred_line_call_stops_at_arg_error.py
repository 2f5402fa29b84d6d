class C():
	f(e=(),a,b""**a)
