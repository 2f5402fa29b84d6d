x = 1
t(a,
  b := c + d)
f(a, b:=
2, c)
