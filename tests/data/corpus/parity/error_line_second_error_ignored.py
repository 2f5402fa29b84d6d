try:
	f(**k,e,1.5)
except:();()
