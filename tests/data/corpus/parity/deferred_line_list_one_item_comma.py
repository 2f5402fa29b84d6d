try:
 with()as(""):s
except:pass
else:
 if[n in e,]:from x import y
