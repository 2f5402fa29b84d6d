def g():
	x.m(**k,a,1.5**a)
