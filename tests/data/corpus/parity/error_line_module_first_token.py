

# c
if x:
 f(x=1,a)
