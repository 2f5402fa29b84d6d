def f():
 def g():(l)and(super
)()