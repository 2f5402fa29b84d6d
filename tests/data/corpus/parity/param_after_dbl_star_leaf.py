def n(
**a,b):s
