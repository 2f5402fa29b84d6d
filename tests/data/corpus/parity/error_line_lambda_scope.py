y=0
y=(lambda:
 f(x=1,a))
