y=0
if x:
 a=1
 b=2
else:
 f(
x=1,c)
