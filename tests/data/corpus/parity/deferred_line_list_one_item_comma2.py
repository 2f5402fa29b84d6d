if x:
 with()as(""):s
else:
 x = [
  f(),
 ]
