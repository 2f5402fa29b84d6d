try:
  ()
except:
  (1:=N)
x = [(None:=2)
,3]
