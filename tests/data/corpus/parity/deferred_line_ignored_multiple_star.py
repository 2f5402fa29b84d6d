try:
 with f(**n,5):a,*b,*c=d
except:s
else:s;
