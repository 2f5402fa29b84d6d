class C():
	raise[](e=(),a,b""**a)from k
