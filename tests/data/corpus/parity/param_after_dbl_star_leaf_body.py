def n(
**a,
b):
  x=1
  y=2
lambda \
**a,b:1
