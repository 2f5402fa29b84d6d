try:
		if s:
			try:((lambda:""))
			except:a
		else:t(n=a,2/4)
finally:e