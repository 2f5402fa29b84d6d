y=0
y=[
 f(x=1,a) for a in b]
