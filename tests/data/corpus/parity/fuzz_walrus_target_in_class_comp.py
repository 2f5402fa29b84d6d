class C:
	try:()
	except()as e:
		if{(
)if()else(t:=0)for b in(()if()else())}:s