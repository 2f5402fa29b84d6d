(a.n)()
try:7
except:(a.n)()
x=(a.b.c)(d)
