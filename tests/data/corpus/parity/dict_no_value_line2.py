def f():
    d = {

  a:2,
  b}
