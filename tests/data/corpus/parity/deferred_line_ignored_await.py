try:
 with A(**n,5)as n:i
except:await f
else:s;