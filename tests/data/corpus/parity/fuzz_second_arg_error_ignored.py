for i in():
		try:
			for f in()if.5 else a(**'\'',e,8378354019):s
		except:();()