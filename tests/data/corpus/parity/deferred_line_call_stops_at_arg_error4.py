class C():
	f(e=(),a,x[0]**a)
	pass
