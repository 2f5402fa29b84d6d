t(
x=d,t)
