try:
		@micropython
		def g():a
except:
	try:({e,3:1})
	finally:[1 in n,]
