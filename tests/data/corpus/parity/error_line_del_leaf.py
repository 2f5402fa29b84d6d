y=0
if x:
 del a,\
 1
