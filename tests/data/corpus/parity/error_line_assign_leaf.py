y=0
if x:
 a,\
1=1,2
