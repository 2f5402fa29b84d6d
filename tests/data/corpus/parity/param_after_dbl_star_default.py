def n(
**a,
b=1):s
