try:
		@micropython
		def g():a
except:
	try:({e:1,3})
	finally:[1 in n,]
